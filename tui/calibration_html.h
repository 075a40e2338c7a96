/*
 * calibration_html.h: the page `accord calibration --html FILE` writes: a
 * reliability diagram (inline SVG) and the table behind it.
 */
#ifndef ACCORD_TUI_CALIBRATION_HTML_H
#define ACCORD_TUI_CALIBRATION_HTML_H

#include "accord/calibration.h"

/* Write the page to file atomically: 0, or -1 with *cause. */
int calibration_html_write(const char *file,
    const struct calibration_report *r, char **cause);

#endif
