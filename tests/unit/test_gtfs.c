/* test_gtfs.c: unit tests of the GTFS writer on a journey made by hand: the zip holds the eight files, names with
 * commas, quotes, control characters and Cyrillic are CSV-escaped, times count from noon minus 12 h of the service
 * day (on a day whose clocks go forward too) and run past 24:00:00, a station called at twice is one stop, the shape
 * drops points no farther along, and a journey without a departure time is refused. */
#include "testutil.h"

#include <zip.h>

/* Three rows: Berlin (origin, work before the departure), a border point at coordinates, Moskva (destination) after
 * midnight of the next day, and a reversal back at Berlin's station in between. */
static bogie_journey *make_journey(bogie_stop *stops, double (*line)[2], double *line_km)
{
    static bogie_journey j;
    memset(&j, 0, sizeof j);
    snprintf(j.train, sizeof j.train, "test");
    snprintf(j.train_title, sizeof j.train_title, "A \"test\" train, by hand");
    j.has_clock = true;
    memset(stops, 0, 4 * sizeof *stops);
    /* 2023-03-26 00:30 CET is 2023-03-25T23:30:00Z; Berlin's clocks go forward at 02:00 that night. */
    int64_t t0 = 1679787000;
    const struct {
        unsigned kinds;
        const char *name, *local, *zone;
        uint32_t station;
        double km, arrive, depart;
    } rows[4] = {
        {BOGIE_STOP_ORIGIN, "Berlin, Hbf", "Berlin Hbf", "Europe/Berlin", 7, 0, -600, 0},
        {BOGIE_STOP_REVERSAL, "Berlin, Hbf", "Berlin Hbf", "Europe/Berlin", 7, 10, 1800, 3600},
        {BOGIE_STOP_BORDER, "Odd\x1b name \"here\"", "", "Europe/Warsaw", BOGIE_NONE, 500, 36000, 39600},
        {BOGIE_STOP_DESTINATION, "Moskva", "Москва", "Europe/Moscow", 9, 1800, 100000, 100000},
    };
    for (int i = 0; i < 4; i++) {
        bogie_stop *s = &stops[i];
        s->kinds = rows[i].kinds;
        snprintf(s->name, sizeof s->name, "%s", rows[i].name);
        snprintf(s->local_name, sizeof s->local_name, "%s", rows[i].local);
        snprintf(s->zone, sizeof s->zone, "%s", rows[i].zone);
        s->station = rows[i].station;
        s->km = rows[i].km;
        s->lat = 52.5 + i;
        s->lon = 13.4 + 10 * i;
        s->arrive_s = rows[i].arrive;
        s->depart_s = rows[i].depart;
        s->arrive_utc = t0 + (int64_t)rows[i].arrive;
        s->depart_utc = t0 + (int64_t)rows[i].depart;
    }
    j.stops = stops;
    j.n_stops = 4;
    const double pts[5][3] = {{52.5, 13.4, 0}, {52.5, 13.4, 0}, {53.0, 20.0, 500}, {54.0, 30.0, 499}, {55.7, 37.6, 1800}};
    for (int i = 0; i < 5; i++) {
        line[i][0] = pts[i][0];
        line[i][1] = pts[i][1];
        line_km[i] = pts[i][2];
    }
    j.line = line;
    j.line_km = line_km;
    j.n_line = 5;
    return &j;
}

/* The file name of the zip in bytes, in a string the caller frees. */
static char *unzip_file(const unsigned char *bytes, size_t len, const char *name)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(bytes, len, 0, &ze);
    assert_non_null(src);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), 8);
    zip_stat_t st;
    assert_int_equal(zip_stat(za, name, 0, &st), 0);
    char *text = calloc(1, st.size + 1);
    zip_file_t *f = zip_fopen(za, name, 0);
    assert_non_null(f);
    assert_int_equal(zip_fread(f, text, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    zip_close(za);
    zip_error_fini(&ze);
    return text;
}

#define assert_file(bytes, len, name, expected)                                                                    \
    do {                                                                                                           \
        char *t_ = unzip_file((bytes), (len), (name));                                                             \
        assert_string_equal(t_, (expected));                                                                       \
        free(t_);                                                                                                  \
    } while (0)

static void test_feed(void **state)
{
    (void)state;
    bogie_stop stops[4];
    double line[5][2], line_km[5];
    bogie_journey *j = make_journey(stops, line, line_km);
    unsigned char *zip = NULL;
    size_t len = 0;
    bogie_diag d = {0};
    assert_int_equal(bogie_journey_write_bytes(j, BOGIE_FORMAT_GTFS, &zip, &len, &d), BOGIE_OK);
    assert_true(len > 100);
    assert_memory_equal(zip, "PK\x03\x04", 4);
    assert_file(zip, len, "agency.txt",
                "agency_id,agency_name,agency_url,agency_timezone,agency_lang\n"
                "bogie,\"bogie: A \"\"test\"\" train, by hand\",https://example.org/bogie,Europe/Berlin,en\n");
    /* The station called at twice is one stop; the control character is U+FFFD. */
    assert_file(zip, len, "stops.txt",
                "stop_id,stop_name,stop_desc,stop_lat,stop_lon,location_type,stop_timezone\n"
                "st7,\"Berlin, Hbf\",Berlin Hbf,52.500000,13.400000,0,Europe/Berlin\n"
                "pt2,\"Odd\xEF\xBF\xBD name \"\"here\"\"\",,54.500000,33.400000,0,Europe/Warsaw\n"
                "st9,Moskva,Москва,55.500000,43.400000,0,Europe/Moscow\n");
    /* The service day 2023-03-26 starts at noon CEST minus 12 h, 2023-03-25 23:00 CET: the departure at 00:30 CET
     * is 01:30:00, and the arrival 100,000 s later is 29:16:40. */
    assert_file(zip, len, "stop_times.txt",
                "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type,"
                "shape_dist_traveled,timepoint\n"
                "bogie,01:30:00,01:30:00,st7,1,0,0,0.000,1\n"
                "bogie,02:00:00,02:30:00,st7,2,1,1,10.000,1\n"
                "bogie,11:30:00,12:30:00,pt2,3,1,1,500.000,1\n"
                "bogie,29:16:40,29:16:40,st9,4,0,0,1800.000,1\n");
    assert_file(zip, len, "calendar_dates.txt", "service_id,date,exception_type\nbogie,20230326,1\n");
    assert_file(zip, len, "routes.txt",
                "route_id,agency_id,route_short_name,route_long_name,route_desc,route_type\n"
                "bogie,bogie,test,\"Berlin, Hbf - Moskva\",\"A \"\"test\"\" train, by hand\",2\n");
    assert_file(zip, len, "trips.txt",
                "route_id,service_id,trip_id,trip_headsign,shape_id\nbogie,bogie,bogie,Moskva,bogie\n");
    /* The repeated point (km 0) and the one behind it (km 499) are left out. */
    assert_file(zip, len, "shapes.txt",
                "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,shape_dist_traveled\n"
                "bogie,52.500000,13.400000,1,0.000\nbogie,53.000000,20.000000,2,500.000\n"
                "bogie,55.700000,37.600000,3,1800.000\n");
    assert_file(zip, len, "feed_info.txt",
                "feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date,feed_version\n"
                "bogie,https://example.org/bogie,en,20230326,20230326,bogie " BOGIE_VERSION "\n");
    /* The same journey, the same bytes. */
    unsigned char *again = NULL;
    size_t len2 = 0;
    assert_int_equal(bogie_journey_write_bytes(j, BOGIE_FORMAT_GTFS, &again, &len2, NULL), BOGIE_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(again, zip, len);
    free(again);
    free(zip);
}

/* The night the clocks go back: 2023-10-29 00:30 CEST (2023-10-28T22:30:00Z) is before that day's "noon minus
 * 12h" (01:00 CEST, since noon is CET), so the service day is the 28th, from 00:00 CEST, and the departure 24:30:00
 * (it was once clamped to 00:00:00 on the 29th: half an hour late). */
static void test_feed_on_the_night_the_clocks_go_back(void **state)
{
    (void)state;
    bogie_stop stops[4];
    double line[5][2], line_km[5];
    bogie_journey *j = make_journey(stops, line, line_km);
    int64_t shift = 1698532200 - stops[0].depart_utc;
    for (size_t i = 0; i < j->n_stops; i++) {
        stops[i].arrive_utc += shift;
        stops[i].depart_utc += shift;
    }
    unsigned char *zip = NULL;
    size_t len = 0;
    assert_int_equal(bogie_journey_write_bytes(j, BOGIE_FORMAT_GTFS, &zip, &len, NULL), BOGIE_OK);
    assert_file(zip, len, "calendar_dates.txt", "service_id,date,exception_type\nbogie,20231028,1\n");
    char *times = unzip_file(zip, len, "stop_times.txt");
    assert_non_null(strstr(times, "\nbogie,24:30:00,24:30:00,st7,1,"));
    free(times);
    free(zip);
}

static void test_refusals(void **state)
{
    (void)state;
    bogie_stop stops[4];
    double line[5][2], line_km[5];
    bogie_journey *j = make_journey(stops, line, line_km);
    char *text = (char *)"x";
    assert_int_equal(bogie_journey_write(j, BOGIE_FORMAT_GTFS, &text), BOGIE_ERR_ARG);
    assert_null(text);
    j->has_clock = false;
    unsigned char *zip = (unsigned char *)"x";
    size_t len = 1;
    bogie_diag d = {0};
    assert_int_equal(bogie_journey_write_bytes(j, BOGIE_FORMAT_GTFS, &zip, &len, &d), BOGIE_ERR_ARG);
    assert_null(zip);
    assert_int_equal(len, 0);
    assert_non_null(strstr(d.message, "departure time (depart)"));
    /* A text format through the same call: its string without the NUL. */
    assert_int_equal(bogie_journey_write_bytes(j, BOGIE_FORMAT_CSV, &zip, &len, &d), BOGIE_OK);
    assert_int_equal(len, strlen("km,time_s,speed_kmh,limit_kmh\n"));
    assert_memory_equal(zip, "km,time_s,speed_kmh,limit_kmh\n", len);
    free(zip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_feed),
                                       cmocka_unit_test(test_feed_on_the_night_the_clocks_go_back),
                                       cmocka_unit_test(test_refusals)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
