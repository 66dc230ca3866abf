// import_feed.mjs: imports a GTFS feed with node-gtfs (the npm package gtfs) into an SQLite file and prints, as JSON,
// what the tests compare with bogie's own answer: the import's messages, and the tables node-gtfs reads back.
//   node import_feed.mjs FEED.zip DB.sqlite
import { importGtfs, openDb, closeDb, getAgencies, getStops, getRoutes, getTrips, getStoptimes, getShapes,
    getCalendarDates, getFeedInfo } from 'gtfs';

const [feed, sqlitePath] = process.argv.slice(2);
const messages = [];
const config = {
    sqlitePath,
    agencies: [{ path: feed }],
    verbose: true,
    ignoreDuplicates: false,
    logFunction: (text) => messages.push(String(text)),
};
await importGtfs(config);
const db = openDb(config);
const out = {
    messages,
    agencies: getAgencies({}, [], [], { db }),
    stops: getStops({}, [], [], { db }),
    routes: getRoutes({}, [], [], { db }),
    trips: getTrips({}, [], [], { db }),
    stop_times: getStoptimes({ trip_id: 'bogie' }, [], [['stop_sequence', 'ASC']], { db }),
    shapes: getShapes({}, [], [['shape_pt_sequence', 'ASC']], { db }),
    calendar_dates: getCalendarDates({}, [], [], { db }),
    feed_info: getFeedInfo({}, [], [], { db }),
};
closeDb(db);
process.stdout.write(JSON.stringify(out) + '\n');
