"""speed_profile.py: plans the flagship journey (Pyongyang - Vladivostok, the armoured train) with the Python binding
and plots its speed and the line's limit against distance, marking the stops; the picture of docs/python.md.
Usage: python3 python/examples/speed_profile.py NETWORK DATA OUT.png"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import bogie  # noqa: E402

network, data, out = sys.argv[1:4]
with bogie.Network(network, data=data) as net:
    j = net.plan("Pyongyang", "Vladivostok", train="armoured", depart="2023-09-10 15:00")

km = [p[0] for p in j.profile]
fig, ax = plt.subplots(figsize=(10, 3.6), dpi=100)
ax.plot(km, [p[3] for p in j.profile], color="#bbbbbb", linewidth=1, label="limit")
ax.plot(km, [p[2] for p in j.profile], color="#1f5fa8", linewidth=1.2, label="speed")
for s in j.stops:
    if set(s.kinds) & {"gauge_change", "border", "reversal", "origin", "destination"}:
        ax.axvline(s.km, color="#d04020", linewidth=0.6, alpha=0.6)
        ax.text(s.km, 66, s.name, rotation=90, fontsize=7, va="bottom", ha="right")
ax.set_xlabel("km from Pyongyang")
ax.set_ylabel("km/h")
ax.set_ylim(0, 90)
minutes = round(j.total_s / 60)
ax.set_title("%s: %.0f km in %d h %02d min" % (j.title, j.length_km, minutes // 60, minutes % 60), fontsize=9)
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(out)
print("%s: %d profile points, %d stops" % (out, len(j.profile), len(j.stops)))
