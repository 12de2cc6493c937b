/** Days and groups with fewer finished runs are left out of the charts (the tables list them): one run's error says little. */
export const MIN_RUNS = 3;
