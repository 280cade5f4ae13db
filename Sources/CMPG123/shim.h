#ifndef CALLARCHIVE_CMPG123_SHIM_H
#define CALLARCHIVE_CMPG123_SHIM_H

#include <sys/types.h>
#include <mpg123.h>

/* mpg123.h renames many functions with macros (mpg123_info -> mpg123_info2,
   mpg123_decode_frame -> mpg123_decode_frame_64, ...), which Swift cannot see.
   These wrappers let the C preprocessor pick the right symbol. */

typedef ssize_t (*ca_mpg123_read_fn)(void *handle, void *buffer, size_t count);

static inline int ca_mpg123_param(mpg123_handle *mh, int key, long value) {
    return mpg123_param2(mh, key, value, 0.0);
}

static inline int ca_mpg123_info(mpg123_handle *mh, struct mpg123_frameinfo2 *info) {
    return mpg123_info2(mh, info);
}

static inline int ca_mpg123_decode_frame(mpg123_handle *mh, long long *number,
                                         unsigned char **audio, size_t *bytes) {
    off_t frame = 0;
    int result = mpg123_decode_frame(mh, &frame, audio, bytes);
    *number = (long long)frame;
    return result;
}

/* Decodes the frame mpg123_framebyframe_next parsed. */
static inline int ca_mpg123_framebyframe_decode(mpg123_handle *mh, long long *number,
                                                unsigned char **audio, size_t *bytes) {
    off_t frame = 0;
    int result = mpg123_framebyframe_decode(mh, &frame, audio, bytes);
    *number = (long long)frame;
    return result;
}

static inline long long ca_mpg123_framepos(mpg123_handle *mh) {
    return (long long)mpg123_framepos(mh);
}

static inline long ca_mpg123_state(mpg123_handle *mh, int key) {
    long value = 0;
    double fvalue = 0;
    if (mpg123_getstate2(mh, key, &value, &fvalue) != MPG123_OK) return 0;
    return value;
}

/* Reads through `read` (no seeking: the stream is read once, front to back). */
static inline int ca_mpg123_open_reader(mpg123_handle *mh, ca_mpg123_read_fn read, void *handle) {
    int result = mpg123_replace_reader_handle(mh, read, NULL, NULL);
    if (result != MPG123_OK) return result;
    return mpg123_open_handle(mh, handle);
}

#endif
