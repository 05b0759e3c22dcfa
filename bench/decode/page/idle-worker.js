// An idle worker: its thread marks the page's renderer process for the runner's CPU counts.
