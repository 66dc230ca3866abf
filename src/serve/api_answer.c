/* api_answer.c: the HTTP API's answers: a body taken from a string buffer, JSON error answers, and library failures
 * mapped to HTTP statuses. */
#include "serve/api_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_set_body(bogie_response *r, int status, const char *type, strbuf *sb)
{
    r->status = status;
    r->content_type = type;
    if (sb->failed) {
        sb_free(sb);
        r->status = 503;
        static const char msg[] = "{\"code\":\"Overloaded\",\"message\":\"out of memory\"}\n";
        r->body = malloc(sizeof msg);
        r->length = r->body ? sizeof msg - 1 : 0;
        if (r->body)
            memcpy(r->body, msg, sizeof msg);
        r->content_type = "application/json";
        return;
    }
    r->body = sb->s;
    r->length = sb->len;
    sb->s = NULL;
    sb->len = sb->cap = 0;
}

void api_error_answer(bogie_response *r, int status, const char *code, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    strbuf sb;
    sb_init(&sb, NULL);
    sb_printf(&sb, "{\"code\":\"%s\",\"message\":", code);
    sb_json_string(&sb, msg);
    sb_puts(&sb, "}\n");
    api_set_body(r, status, "application/json", &sb);
}

void api_status_answer(bogie_response *r, bogie_status st, const bogie_diag *d)
{
    const char *m = d->message[0] ? d->message : bogie_strerror(st);
    switch (st) {
    case BOGIE_ERR_NOT_FOUND:
        if (strncmp(m, "no route", 8) == 0)
            api_error_answer(r, 400, "NoRoute", "%s", m);
        else if (strstr(m, "no track"))
            api_error_answer(r, 400, "NoSegment", "%s", m);
        else
            api_error_answer(r, 400, "InvalidValue", "%s", m);
        break;
    case BOGIE_ERR_CANCELLED: api_error_answer(r, 503, "Timeout", "%s", m); break;
    case BOGIE_ERR_NOMEM: api_error_answer(r, 503, "Overloaded", "%s", m); break;
    case BOGIE_ERR_ARG:
    case BOGIE_ERR_INPUT: api_error_answer(r, 400, "InvalidValue", "%s", m); break;
    default: api_error_answer(r, 500, "InternalError", "%s", m);
    }
}
