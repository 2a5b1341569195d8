#version 330 core
// Heatmap quad. No vertex buffer: the four corners come from gl_VertexID (triangle strip).
//   uRect    the quad in framebuffer pixels, origin top-left: (x0, y0, x1, y1)
//   uFbSize  framebuffer size in pixels
//   vUv      (0, 0) at the top-left corner of the quad, (1, 1) at the bottom-right
uniform vec4 uRect;
uniform vec2 uFbSize;
out vec2 vUv;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    vec2 pixel = mix(uRect.xy, uRect.zw, corner);
    vUv = corner;
    gl_Position = vec4(pixel.x / uFbSize.x * 2.0 - 1.0, 1.0 - pixel.y / uFbSize.y * 2.0, 0.0, 1.0);
}
