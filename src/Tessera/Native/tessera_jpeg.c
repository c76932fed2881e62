/*
 * Tessera's JPEG region decoder: decodes only the part of a JPEG that a build uses, through the
 * libjpeg API of the system's libjpeg-turbo (libjpeg.so.62). The TurboJPEG API, which Tessera uses
 * for everything else, cannot crop; libjpeg's jpeg_crop_scanline and jpeg_skip_scanlines can, but
 * libjpeg reports errors by longjmp, which .NET cannot take: hence this small C layer.
 *
 * The region's pixels come out exactly as a whole-image decode gives them: columns are cropped at
 * iMCU boundaries at least CONTEXT pixels outside the region and rows are skipped to CONTEXT rows
 * above it, so chroma upsampling sees the same neighbours as in a whole decode (one pixel is
 * enough for libjpeg-turbo 2.1; the tests check that a region equals the whole decode's pixels).
 * Into a buffer of the whole image, libjpeg writes its rows in place (a few pixels around the region
 * included); into a larger image, rows go through a scratch buffer and only the region is copied
 * out. Below the region's last row the data is still entropy-decoded (without the inverse DCT) up
 * to the EOI marker, as the rows skipped above it are: damage anywhere in the file is found, not
 * only inside the region.
 *
 * libjpeg warns, and goes on, where the data is damaged (a bad Huffman code, a marker in the middle
 * of the entropy data, bytes left over, the data ending early); here every warning is an error, as
 * it is for libvips with fail on: a damaged tile is never passed off as a decoded one.
 *
 * A region can also be decoded as a stream, some rows at a time (tessera_jpeg_stream_*): a stitched
 * tile whose cell spans several bands of a block is then decoded once, each band's rows going
 * straight into that band, with no decoded copy of the tile kept in between.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

#ifndef CONTEXT
#define CONTEXT 2
#endif

#define BATCH 16 /* rows asked of libjpeg at a time: the most one iMCU row can give */

/* Pixels beside a row that a direct read saves and puts back, on each side: CONTEXT and an iMCU (at most 32 px). */
#define SPILL_PIXELS (CONTEXT + 32)

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf escape;
    char message[JMSG_LENGTH_MAX];
} error_state;

typedef struct {
    struct jpeg_decompress_struct info;
    error_state error;
    unsigned char *scratch;
    size_t scratch_size;
    unsigned char spill[BATCH][2][SPILL_PIXELS * 4]; /* bytes beside the rows of a direct read, saved and put back */
    int pixel_bytes;   /* of the region being decoded */
    int crop_x;        /* the first column libjpeg puts out */
    int end;           /* the region's last row + 1 */
    int streaming;     /* whether a stream is started and not ended */
    int finished;      /* whether the stream's last row is read and the rest of the data checked */
} decoder;

static void on_error(j_common_ptr info) {
    error_state *error = (error_state *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->escape, 1);
}

/* A warning means damaged data: it ends the decode as an error does. Trace messages are dropped. */
static void on_message(j_common_ptr info, int level) {
    if (level < 0) {
        on_error(info);
    }
}

static int fail(decoder *d, char *message, int message_size) {
    if (message != NULL && message_size > 0) {
        strncpy(message, d->error.message, (size_t)message_size - 1);
        message[message_size - 1] = '\0';
    }

    return -1;
}

/* The version of this layer's calls: JpegRegionDecoder refuses a library built from another. */
int tessera_jpeg_abi(void) {
    return 2;
}

/* A decoder for one thread at a time; NULL when out of memory. */
void *tessera_jpeg_create(void) {
    decoder *volatile d = calloc(1, sizeof *d);
    if (d == NULL) {
        return NULL;
    }

    d->info.err = jpeg_std_error(&d->error.manager);
    d->error.manager.error_exit = on_error;
    d->error.manager.emit_message = on_message;
    if (setjmp(d->error.escape)) {
        free(d);
        return NULL;
    }

    jpeg_create_decompress(&d->info);
    return d;
}

void tessera_jpeg_destroy(void *handle) {
    decoder *d = handle;
    if (d != NULL) {
        jpeg_destroy_decompress(&d->info);
        free(d->scratch);
        free(d);
    }
}

/* Clears the message before a call that may fail. */
static void reset_messages(decoder *d) {
    d->error.message[0] = '\0';
}

/*
 * Starts decoding the rectangle (x, y, w, h): reads the header, crops the columns and skips the rows
 * above it, CONTEXT pixels kept on each side. Returns 0; -1 (message set) when the rectangle is not
 * inside the image; -2 when the image is not width x height, or is CMYK (which the caller refuses
 * itself, in the same words for every codec). Errors longjmp to the caller's setjmp.
 */
static int start(decoder *d, const unsigned char *data, unsigned long size, int grey,
                 int width, int height, int x, int y, int w, int h) {
    struct jpeg_decompress_struct *info = &d->info;
    if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
        snprintf(d->error.message, sizeof d->error.message, "the region %dx%d at (%d, %d) is not inside %dx%d", w, h, x, y, width, height);
        return -1;
    }

    jpeg_mem_src(info, data, size);
    jpeg_read_header(info, TRUE);
    if ((int)info->image_width != width || (int)info->image_height != height
        || info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK) {
        jpeg_abort_decompress(info);
        return -2;
    }

    info->out_color_space = grey ? JCS_GRAYSCALE : JCS_EXT_RGBX;
    jpeg_start_decompress(info);

    d->pixel_bytes = grey ? 1 : 4;
    d->end = y + h;
    d->finished = 0;
    int left = x > CONTEXT ? x - CONTEXT : 0;
    int right = x + w + CONTEXT < width ? x + w + CONTEXT : width;
    JDIMENSION crop_x = (JDIMENSION)left, crop_width = (JDIMENSION)(right - left);
    if (crop_x > 0 || (int)crop_width < width) {
        jpeg_crop_scanline(info, &crop_x, &crop_width); /* widens it to iMCU boundaries */
    }

    d->crop_x = (int)crop_x;
    int top = y > CONTEXT ? y - CONTEXT : 0;
    if (top > 0) {
        jpeg_skip_scanlines(info, (JDIMENSION)top);
    }

    return 0;
}

/* Makes the scratch buffer at least `size` bytes; 0, or -1 (message set) when out of memory. */
static int reserve_scratch(decoder *d, size_t size) {
    if (d->scratch_size < size) {
        free(d->scratch);
        d->scratch_size = 0;
        d->scratch = malloc(size);
        if (d->scratch == NULL) {
            snprintf(d->error.message, sizeof d->error.message, "out of memory");
            return -1;
        }

        d->scratch_size = size;
    }

    return 0;
}

/*
 * Reads the rest of the image after the rows a caller wanted, so that damage there is found too:
 * the rows are skipped (entropy-decoded without their inverse DCT) but for the last, which is
 * decoded into the scratch buffer, since skipping to the bottom would not decode at all; then the
 * markers up to EOI are read, which finds bytes left over after the entropy data. Returns 0, or -1
 * (message set) when out of memory. Errors and warnings longjmp to the caller's setjmp.
 */
static int finish(decoder *d) {
    struct jpeg_decompress_struct *info = &d->info;
    if (info->output_scanline + 1 < info->output_height) {
        jpeg_skip_scanlines(info, info->output_height - 1 - info->output_scanline);
    }

    if (info->output_scanline < info->output_height) {
        if (reserve_scratch(d, (size_t)info->output_width * (size_t)info->output_components) != 0) {
            return -1;
        }

        JSAMPROW row = d->scratch;
        jpeg_read_scanlines(info, &row, 1);
    }

    jpeg_finish_decompress(info);
    return 0;
}

/*
 * Decodes the rows up to `end` (exclusive) and writes columns [col_x, col_x + col_w) of those from
 * row `from` on to dst, where row `from`'s pixel col_x goes; rows before `from` are decoded and
 * dropped. Where dst has room for the columns libjpeg puts out beside the wanted ones (room_left
 * pixels before col_x and room_right after the last, in each row), libjpeg writes the rows straight
 * into dst and the bytes beside them are saved first and put back after: that saves copying every
 * row out of the scratch buffer, about 5-8 % of a region decode. Elsewhere the rows go through the
 * scratch buffer. Returns 0, or -1 (message set) when out of memory. Errors longjmp to the caller's
 * setjmp.
 */
static int read_rows(decoder *d, int from, int end, int col_x, int col_w, unsigned char *dst, long stride,
                     int room_left, int room_right) {
    struct jpeg_decompress_struct *info = &d->info;
    JSAMPROW rows[BATCH];
    int straight[BATCH];
    const size_t bpp = (size_t)d->pixel_bytes, row_bytes = (size_t)info->output_width * bpp;
    const int left = col_x - d->crop_x, right = d->crop_x + (int)info->output_width - (col_x + col_w);
    const int direct = left <= room_left && right <= room_right && left <= SPILL_PIXELS && right <= SPILL_PIXELS;
    const size_t before = (size_t)left * bpp, copy = (size_t)col_w * bpp, after = (size_t)right * bpp;
    if (reserve_scratch(d, row_bytes * BATCH) != 0) {
        return -1;
    }

    while ((int)info->output_scanline < end) {
        int first = (int)info->output_scanline;
        int wanted = end - first < BATCH ? end - first : BATCH;
        for (int i = 0; i < wanted; i++) {
            unsigned char *to = dst + ((long)(first + i - from) * stride);
            straight[i] = direct && first + i >= from;
            if (straight[i]) {
                memcpy(d->spill[i][0], to - before, before);
                memcpy(d->spill[i][1], to + copy, after);
                rows[i] = to - before;
            } else {
                rows[i] = d->scratch + ((size_t)i * row_bytes);
            }
        }

        int got = (int)jpeg_read_scanlines(info, rows, (JDIMENSION)wanted);
        for (int i = 0; i < wanted; i++) {
            unsigned char *to = dst + ((long)(first + i - from) * stride);
            if (straight[i]) {
                memcpy(to - before, d->spill[i][0], before);
                memcpy(to + copy, d->spill[i][1], after);
            } else if (i < got && first + i >= from) {
                memcpy(to, rows[i] + before, copy);
            }
        }

        if (got == 0) {
            break; /* cannot happen with a memory source, which never suspends */
        }
    }

    return 0;
}

/*
 * Decodes the rectangle (x, y, w, h) of a width x height JPEG as RGBX (grey = 0) or one grey byte
 * per pixel (grey = 1) into dst, rows stride bytes apart. With whole = 0, dst is where the
 * rectangle's first pixel goes and nothing else is written (room_left and room_right: pixels of
 * each dst row before and after the rectangle's, which a failed decode may leave changed; see
 * read_rows); with whole = 1, dst holds the whole image (its pixel (0, 0) at dst) and pixels near
 * the rectangle may be written too, saving a copy. The rest of the data is checked too (see finish). Returns 0 on success, -1 on failure (message
 * holds libjpeg's error or warning) and -2 (writing nothing) where start declines the image. The
 * decoder can be used again whatever happened.
 */
int tessera_jpeg_decode_region(void *handle, const unsigned char *data, unsigned long size, int grey,
                               int width, int height, int x, int y, int w, int h,
                               unsigned char *dst, long stride, int whole, int room_left, int room_right,
                               char *message, int message_size) {
    decoder *d = handle;
    struct jpeg_decompress_struct *info = &d->info;
    reset_messages(d);
    if (d->streaming) {
        snprintf(d->error.message, sizeof d->error.message, "the decoder is streaming a region");
        return fail(d, message, message_size);
    }

    if (setjmp(d->error.escape)) {
        jpeg_abort_decompress(info);
        return fail(d, message, message_size);
    }

    int started = start(d, data, size, grey, width, height, x, y, w, h);
    if (started != 0) {
        return started == -2 ? -2 : fail(d, message, message_size);
    }

    if (whole) {
        JSAMPROW rows[BATCH];
        while ((int)info->output_scanline < d->end) {
            int first = (int)info->output_scanline;
            int wanted = d->end - first < BATCH ? d->end - first : BATCH;
            for (int i = 0; i < wanted; i++) {
                rows[i] = dst + ((long)(first + i) * stride) + ((size_t)d->crop_x * (size_t)d->pixel_bytes);
            }

            if (jpeg_read_scanlines(info, rows, (JDIMENSION)wanted) == 0) {
                break; /* cannot happen with a memory source, which never suspends */
            }
        }
    } else if (read_rows(d, y, d->end, x, w, dst, stride, room_left, room_right) != 0) {
        jpeg_abort_decompress(info);
        return fail(d, message, message_size);
    }

    if (finish(d) != 0) {
        jpeg_abort_decompress(info);
        return fail(d, message, message_size);
    }

    return 0;
}

/*
 * Starts streaming the rectangle (x, y, w, h) of a width x height JPEG (grey as for
 * tessera_jpeg_decode_region): its rows then come out with tessera_jpeg_stream_read, top to
 * bottom. data must stay in place until tessera_jpeg_stream_end. Returns 0, -1 (failure, message
 * set; nothing to end) or -2 (declined by start; nothing to end).
 */
int tessera_jpeg_stream_start(void *handle, const unsigned char *data, unsigned long size, int grey,
                              int width, int height, int x, int y, int w, int h, char *message, int message_size) {
    decoder *d = handle;
    reset_messages(d);
    if (d->streaming) {
        snprintf(d->error.message, sizeof d->error.message, "the decoder is streaming a region already");
        return fail(d, message, message_size);
    }

    if (setjmp(d->error.escape)) {
        jpeg_abort_decompress(&d->info);
        return fail(d, message, message_size);
    }

    int started = start(d, data, size, grey, width, height, x, y, w, h);
    if (started != 0) {
        return started == -2 ? -2 : fail(d, message, message_size);
    }

    d->streaming = 1;
    return 0;
}

/*
 * Decodes the stream's next rows, up to row `end` (exclusive, at most the region's end), and writes
 * columns [col_x, col_x + col_w) of rows `from` to `end` to dst, where row `from`'s pixel col_x
 * goes, rows stride bytes apart (room_left and room_right as for tessera_jpeg_decode_region);
 * rows not yet decoded above `from` are dropped. `from` must not lie
 * above the rows already decoded. The read that reaches the region's end also checks the rest of the
 * data (see finish). Returns 0 or -1 (failure, message set: the stream is over, but still to be
 * ended).
 */
int tessera_jpeg_stream_read(void *handle, int from, int end, int col_x, int col_w,
                             unsigned char *dst, long stride, int room_left, int room_right,
                             char *message, int message_size) {
    decoder *d = handle;
    struct jpeg_decompress_struct *info = &d->info;
    reset_messages(d);
    if (!d->streaming || d->finished) {
        snprintf(d->error.message, sizeof d->error.message, "the stream is not started, has failed or has ended");
        return fail(d, message, message_size);
    }

    if (from < (int)info->output_scanline || end > d->end || from > end || col_x < d->crop_x || col_w < 0
        || col_x + col_w > d->crop_x + (int)info->output_width) {
        snprintf(d->error.message, sizeof d->error.message, "rows %d-%d, columns %d-%d are not left to stream", from, end, col_x, col_x + col_w);
        return fail(d, message, message_size);
    }

    if (setjmp(d->error.escape)) {
        jpeg_abort_decompress(info);
        d->streaming = 0;
        return fail(d, message, message_size);
    }

    if (read_rows(d, from, end, col_x, col_w, dst, stride, room_left, room_right) != 0
        || (end == d->end && finish(d) != 0)) {
        jpeg_abort_decompress(info);
        d->streaming = 0;
        return fail(d, message, message_size);
    }

    d->finished = end == d->end;
    return 0;
}

/* Ends a stream, whether or not all its rows were read; the decoder can then be used again. */
void tessera_jpeg_stream_end(void *handle) {
    decoder *d = handle;
    if (d->streaming) {
        jpeg_abort_decompress(&d->info);
        d->streaming = 0;
    }
}

/*
 * Checks a whole JPEG's data without decoding its pixels, for a codec that does not pass libjpeg's
 * warnings on (SkiaSharp's): the entropy data is decoded without the inverse DCT and colour
 * conversion (but for one iMCU of the last row) and the markers are read up to EOI, so it finds what
 * a decode with warnings as errors finds, at a fraction of a decode's cost. Returns 0, or -1 with
 * libjpeg's error or warning in message.
 */
int tessera_jpeg_check(void *handle, const unsigned char *data, unsigned long size, char *message, int message_size) {
    decoder *d = handle;
    struct jpeg_decompress_struct *info = &d->info;
    reset_messages(d);
    if (d->streaming) {
        snprintf(d->error.message, sizeof d->error.message, "the decoder is streaming a region");
        return fail(d, message, message_size);
    }

    if (setjmp(d->error.escape)) {
        jpeg_abort_decompress(info);
        return fail(d, message, message_size);
    }

    jpeg_mem_src(info, data, size);
    jpeg_read_header(info, TRUE);
    jpeg_start_decompress(info);
    JDIMENSION crop_x = 0, crop_width = 1;
    jpeg_crop_scanline(info, &crop_x, &crop_width); /* widens it to one iMCU */
    if (finish(d) != 0) {
        jpeg_abort_decompress(info);
        return fail(d, message, message_size);
    }

    return 0;
}
