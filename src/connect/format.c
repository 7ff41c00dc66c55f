/* format.c - the format registry and the decoder/encoder helpers shared by all formats. */
#include "connect/format.h"
#include "base/util.h"
#include "base/civil.h"
#include <stdio.h>

static const format_def *const formats[] = {&format_csv, &format_json, &format_raw, &format_debezium_json,
                                            &format_canal_json};

const format_def *format_lookup(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < ARRAY_LEN(formats); i++)
        if (strcmp(formats[i]->name, name) == 0) return formats[i];
    return NULL;
}

const char *format_list(void)
{
    static char list[256];
    if (!list[0]) {
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_LEN(formats); i++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", formats[i]->name);
    }
    return list;
}

const format_def *format_of_table(const connector_table *t)
{
    const table_option *o = table_opt_entry(t, "format");
    if (!o) {
        err_at(t->span, "table '%s' needs option 'format'; valid formats: %s", t->name, format_list());
        return NULL;
    }
    const format_def *f = format_lookup(o->value);
    if (!f) err_at(o->value_span, "unknown format '%s'; valid formats: %s", o->value, format_list());
    return f;
}

void decoder_begin(decoder_t *d, const char *file)
{
    d->file = file;
    d->line = 1;
    d->file_start = 1;
    d->bom_checked = 0;
    d->topic = NULL;
}

void decoder_begin_message(decoder_t *d, const char *topic, int32_t partition, int64_t offset)
{
    d->topic = topic;
    d->partition = partition;
    d->offset = offset;
}

void decoder_where(const decoder_t *d, uint64_t line, sb_t *out)
{
    if (!d->topic)
        sb_printf(out, "%s:%llu", d->file ? d->file : "<input>", (unsigned long long)line);
    else if (d->partition < 0)
        sb_printf(out, "MQTT topic '%s'", d->topic);
    else
        sb_printf(out, "topic '%s' partition %d offset %lld", d->topic, (int)d->partition, (long long)d->offset);
}

size_t decoder_skip_bom(decoder_t *d, const char *buf, size_t len, int eof)
{
    static const char bom[3] = {'\xEF', '\xBB', '\xBF'};
    if (d->bom_checked) return 0;
    if (len < 3 && !eof && memcmp(buf, bom, len) == 0) return 0;     /* decide with more bytes */
    d->bom_checked = 1;
    return len >= 3 && memcmp(buf, bom, 3) == 0 ? 3 : 0;
}

void decoder_free(decoder_t *d)
{
    if (d) d->vt->free(d);
}

void encoder_free(encoder_t *e)
{
    if (e) e->vt->free(e);
}

void format_timestamp_text(int64_t us, char sep, int zulu, sb_t *out)
{
    civil_t c;
    civil_from_us(us, &c);
    sb_printf(out, "%04lld-%02d-%02d%c%02d:%02d:%02d", (long long)c.year, c.month, c.day, sep, c.hour,
              c.minute, c.second);
    if (c.micros) {
        char frac[8];
        int n = snprintf(frac, sizeof frac, "%06d", c.micros);
        while (n > 1 && frac[n - 1] == '0') n--;
        sb_putc(out, '.');
        sb_append(out, frac, (size_t)n);
    }
    if (zulu) sb_putc(out, 'Z');
}

void format_excerpt(const char *p, size_t len, sb_t *out)
{
    if (len <= 60) {
        sb_append(out, p, len);
        return;
    }
    sb_append(out, p, 60);
    sb_puts(out, "...");
}

void format_fit_decimal(type_t t, value_t *v)
{
    if (t.id != TY_DECIMAL || v->null || t.precision > 18) return;
    int64_t limit = pow10_i64(t.precision);
    if (v->i <= -limit || v->i >= limit) *v = value_null();
}
