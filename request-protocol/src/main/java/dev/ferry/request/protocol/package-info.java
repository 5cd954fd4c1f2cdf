/**
 * Ferry's wire format: the ASGI event model as protobuf ({@code ferry/v1/asgi.proto}), the
 * frames that carry calls between gateway and container ({@code ferry/v1/call.proto}; the
 * transport itself is {@code ferry-call-transport}), the closed error vocabulary
 * ({@link dev.ferry.request.protocol.CallErrors}) and plain helpers. Nothing here runs a
 * server or depends on Netty, Redis or the function runtime.
 */
package dev.ferry.request.protocol;
