#version 330 core
// Diverging blue–white–red colormap of a float matrix, symmetric around 0.
//   uTex      R32F texture, width = rows, height = cols (the column-major matrix uploaded as is)
//   uScale    the value drawn at full saturation (|v| >= uScale is fully red or blue); > 0
//   uCellPx   size of one cell on screen, in pixels (x: a column's width, y: a row's height)
//   uGrid     1: draw a thin line at cell boundaries
// Cells are fetched with texelFetch, so they stay crisp at any zoom. Non-finite values: magenta.
uniform sampler2D uTex;
uniform float uScale;
uniform vec2 uCellPx;
uniform int uGrid;
in vec2 vUv;
out vec4 fragColor;

// Five stops, from −1 to +1 (in the spirit of ColorBrewer's RdBu).
vec3 diverging(float t) {
    const vec3 c0 = vec3(0.020, 0.188, 0.380);  // −1   deep blue
    const vec3 c1 = vec3(0.263, 0.576, 0.765);  // −0.5
    const vec3 c2 = vec3(0.969, 0.969, 0.969);  //  0   white
    const vec3 c3 = vec3(0.839, 0.376, 0.302);  // +0.5
    const vec3 c4 = vec3(0.404, 0.000, 0.122);  // +1   deep red
    float x = clamp(t, -1.0, 1.0) * 2.0 + 2.0;  // 0..4
    if (x < 1.0) return mix(c0, c1, x);
    if (x < 2.0) return mix(c1, c2, x - 1.0);
    if (x < 3.0) return mix(c2, c3, x - 2.0);
    return mix(c3, c4, x - 3.0);
}

void main() {
    ivec2 size = textureSize(uTex, 0);  // (rows, cols)
    float colF = vUv.x * float(size.y);
    float rowF = vUv.y * float(size.x);
    int col = clamp(int(colF), 0, size.y - 1);
    int row = clamp(int(rowF), 0, size.x - 1);
    float v = texelFetch(uTex, ivec2(row, col), 0).r;
    vec3 color;
    if (isnan(v) || isinf(v)) {
        color = vec3(1.0, 0.0, 1.0);
    } else {
        color = diverging(v / uScale);
    }
    if (uGrid != 0) {
        vec2 inCell = vec2(fract(colF) * uCellPx.x, fract(rowF) * uCellPx.y);
        if (min(inCell.x, inCell.y) < 1.0) color = mix(color, vec3(0.45), 0.55);
    }
    fragColor = vec4(color, 1.0);
}
