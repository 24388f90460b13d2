/** Largest gRPC message a server or client accepts unless told otherwise (8 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
