// The one place the GUI includes OpenGL. Core-profile 3.3 entry points are declared by
// <GL/glext.h> (GL_GLEXT_PROTOTYPES) and resolved by libGL (GLVND), which dispatches to the
// current context whether it came from GLX (GLFW) or EGL (offscreen).
#pragma once

#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>
