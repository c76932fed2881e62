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
 * out. Decoding stops after the region's last row: the data below it is not read, so the caller
 * checks for truncation (the EOI marker at the end) itself.
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
} decoder;

static void on_error(j_common_ptr info) {
    error_state *error = (error_state *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->escape, 1);
}

/* Warnings are counted and the first one's text kept; trace messages are dropped. */
static void on_message(j_common_ptr info, int level) {
    error_state *error = (error_state *)info->err;
    if (level < 0 && info->err->num_warnings++ == 0) {
        (*info->err->format_message)(info, error->message);
    }
}

static int fail(decoder *d, char *message, int message_size) {
    if (message != NULL && message_size > 0) {
        strncpy(message, d->error.message, (size_t)message_size - 1);
        message[message_size - 1] = '\0';
    }

    return -1;
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

/*
 * Decodes the rectangle (x, y, w, h) of a width x height JPEG as RGBX (grey = 0) or one grey byte
 * per pixel (grey = 1) into dst, rows stride bytes apart. With whole = 0, dst is where the
 * rectangle's first pixel goes and nothing else is written; with whole = 1, dst holds the whole
 * image (its pixel (0, 0) at dst) and pixels near the rectangle may be written too, saving a copy.
 * Returns 0 on success, 1 on success with warnings, -1 on failure, and
 * -2 (writing nothing) when the image is not width x height; for 1 and -1, message holds libjpeg's
 * text (the first warning, or the error). The decoder can be used again whatever happened.
 */
int tessera_jpeg_decode_region(void *handle, const unsigned char *data, unsigned long size, int grey,
                               int width, int height, int x, int y, int w, int h,
                               unsigned char *dst, long stride, int whole, char *message, int message_size) {
    decoder *d = handle;
    struct jpeg_decompress_struct *info = &d->info;
    JSAMPROW rows[BATCH];

    d->error.manager.num_warnings = 0;
    d->error.message[0] = '\0';
    if (setjmp(d->error.escape)) {
        jpeg_abort_decompress(info);
        return fail(d, message, message_size);
    }

    if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
        snprintf(d->error.message, sizeof d->error.message, "the region %dx%d at (%d, %d) is not inside %dx%d", w, h, x, y, width, height);
        return fail(d, message, message_size);
    }

    jpeg_mem_src(info, data, size);
    jpeg_read_header(info, TRUE);
    if ((int)info->image_width != width || (int)info->image_height != height) {
        jpeg_abort_decompress(info);
        return -2;
    }

    info->out_color_space = grey ? JCS_GRAYSCALE : JCS_EXT_RGBX;
    jpeg_start_decompress(info);

    int pixel_bytes = grey ? 1 : 4;
    int left = x > CONTEXT ? x - CONTEXT : 0;
    int right = x + w + CONTEXT < width ? x + w + CONTEXT : width;
    JDIMENSION crop_x = (JDIMENSION)left, crop_width = (JDIMENSION)(right - left);
    if (crop_x > 0 || (int)crop_width < width) {
        jpeg_crop_scanline(info, &crop_x, &crop_width); /* widens it to iMCU boundaries */
    }

    int top = y > CONTEXT ? y - CONTEXT : 0;
    if (top > 0) {
        jpeg_skip_scanlines(info, (JDIMENSION)top);
    }

    const int end = y + h;
    if (whole) {
        while ((int)info->output_scanline < end) {
            int first = (int)info->output_scanline;
            int wanted = end - first < BATCH ? end - first : BATCH;
            for (int i = 0; i < wanted; i++) {
                rows[i] = dst + ((long)(first + i) * stride) + ((size_t)crop_x * (size_t)pixel_bytes);
            }

            if (jpeg_read_scanlines(info, rows, (JDIMENSION)wanted) == 0) {
                break; /* cannot happen with a memory source, which never suspends */
            }
        }
    } else {
        size_t row_bytes = (size_t)crop_width * (size_t)pixel_bytes;
        if (d->scratch_size < row_bytes * BATCH) {
            free(d->scratch);
            d->scratch_size = 0;
            d->scratch = malloc(row_bytes * BATCH);
            if (d->scratch == NULL) {
                jpeg_abort_decompress(info);
                snprintf(d->error.message, sizeof d->error.message, "out of memory");
                return fail(d, message, message_size);
            }

            d->scratch_size = row_bytes * BATCH;
        }

        for (int i = 0; i < BATCH; i++) {
            rows[i] = d->scratch + ((size_t)i * row_bytes);
        }

        const size_t skip = (size_t)(x - (int)crop_x) * (size_t)pixel_bytes, copy = (size_t)w * (size_t)pixel_bytes;
        while ((int)info->output_scanline < end) {
            int first = (int)info->output_scanline;
            int wanted = end - first < BATCH ? end - first : BATCH;
            int got = (int)jpeg_read_scanlines(info, rows, (JDIMENSION)wanted);
            if (got == 0) {
                break;
            }

            for (int i = 0; i < got; i++) {
                int row = first + i;
                if (row >= y) {
                    memcpy(dst + ((long)(row - y) * stride), rows[i] + skip, copy);
                }
            }
        }
    }

    jpeg_abort_decompress(info); /* the rows below the region are not needed */
    if (d->error.manager.num_warnings > 0) {
        fail(d, message, message_size);
        return 1;
    }

    return 0;
}
