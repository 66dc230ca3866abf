/* curves.h: curve radii of track polylines (curves.c), measured at import. */
#ifndef BOGIE_CURVES_H
#define BOGIE_CURVES_H

#include <stddef.h>
#include <stdint.h>

/* Curve radii are measured over windows of 100, 300 and 600 m each side of a vertex: see curve_radius_profile(). */
#define CURVE_RADIUS_WINDOW_M 100.0
#define CURVE_RADIUS_SHARP_M 600.0   /* below this the 100 m window's radius is kept */
#define CURVE_RADIUS_GENTLE_M 2500.0 /* at or above this, the 600 m window's radius is used where it fits */

/* Measures the curve radius at every vertex of a polyline of n points (lat, lon pairs in degrees * 1e7) and writes
 * it to radius[i] in whole metres (NET_MAX_RADIUS for straight track or radii beyond it; NET_NO_RADIUS where it
 * cannot be measured). scratch is the caller's array of 2 * n doubles.
 *
 * Noise: OSM nodes carry errors of a metre or two and are spaced anywhere from 1 m to several km, so the radius of
 * the circle through three consecutive nodes is mostly noise. Instead the radius at vertex P is that of the circle
 * through P and the nearest vertices at least w metres before and after it along the line (vertices, not points
 * interpolated on chords, which lie inside a curve and would sharpen sparse curves). A node error e changes the radius R by about e / s, where s = w^2 / (2 R) is the curve's sagitta
 * over the window, so one window cannot serve both sharp and gentle curves. Three are used: w = 100 m where that
 * gives under 600 m (s >= 8 m, so 1 m of noise moves R by at most ~12 %); else w = 300 m where that gives under
 * 2500 m (s >= 18 m, ~6 %); else w = 600 m (R = 6000 m still has s = 30 m). Vertices within 100 m of either end get
 * NET_NO_RADIUS; where a longer window does not fit, the longest that fits is used. Finally a median of three
 * consecutive vertices removes single-vertex spikes. */
void curve_radius_profile(const int32_t *latlon, size_t n, double *scratch, uint16_t *radius);

/* Kinks in OSM geometry: where two ways meet, or nodes were placed by hand, the line bends by up to about 7 degrees
 * (0.12 rad) over a few nodes, as at km 57.4 of the Erfurt-Halle line (6 degrees over 170 m, tagged 300 km/h).
 * Measured over a window of w metres each side, such a kink on straight track reads as a radius of about w / 0.12;
 * inside a real curve it adds to the curve's own bending. */
#define CURVE_KINK_RAD 0.12
/* The highest lateral acceleration a train profile is expected to allow, cant included (FACTS.md: 0.65 to 1.0). */
#define CURVE_LATERAL_MAX_MS2 1.0
#define CURVE_WINDOW_MAX_M 1000.0

/* The shortest window for track whose tagged limit is line_kmh (0: unknown), in metres each side of a vertex: one
 * over which a kink of CURVE_KINK_RAD reads as a radius of at least v^2 / CURVE_LATERAL_MAX_MS2, so that geometry
 * noise never holds a train below the line's own limit: w = CURVE_KINK_RAD v^2 / CURVE_LATERAL_MAX_MS2, between
 * CURVE_RADIUS_WINDOW_M and CURVE_WINDOW_MAX_M (100 m up to 104 km/h, 237 m at 160, 833 m at 300). A real curve that
 * limits a train below the line's speed is tighter than the line is built for, so it can only be a short one, at a
 * junction or station, where the tagged limit is normally lower too. */
double curve_window_for_speed(double line_kmh);

/* As curve_radius_profile(), with every window at least curve_window_for_speed(line_kmh); vertices within that of
 * either end get NET_NO_RADIUS. */
void curve_radius_profile_for(const int32_t *latlon, size_t n, double line_kmh, double *scratch, uint16_t *radius);

#endif
