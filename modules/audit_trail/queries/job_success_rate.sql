-- Job success rate over time: per UTC day and job, the runs that ended in the last 7 days and the share
-- that succeeded. The monitoring guide's query, in Athena's (Trino) SQL:
--   * "timestamp" is a string in the events (ISO 8601, 2026-11-26T12:00:00.123Z): it is parsed with
--     from_iso8601_timestamp() before date_trunc() and the comparison (Trino casts no varchar to a
--     timestamp implicitly, so the guide's date_trunc('day', timestamp) and timestamp >= ... fail);
--   * INTERVAL '7' DAY: Trino's interval literal is a quoted number and a unit keyword ('7 days' is not);
--   * the partitions (year/month/day) are filtered too, so Athena reads 8 days of objects, not the table;
--   * the rate is a double rounded to 2 decimals (decimal arithmetic would round it to 1 decimal).
SELECT
    date_trunc('day', from_iso8601_timestamp("timestamp")) AS date,
    job_name,
    count(*) AS total_runs,
    count(*) FILTER (WHERE status = 'SUCCESS') AS successful_runs,
    round(CAST(count(*) FILTER (WHERE status = 'SUCCESS') AS double) * 100 / count(*), 2) AS success_rate
FROM job_events
WHERE event_type = 'job_completed'
    AND from_iso8601_timestamp("timestamp") >= current_timestamp - INTERVAL '7' DAY
    AND concat(year, '-', month, '-', day) >= format_datetime(current_timestamp - INTERVAL '7' DAY, 'yyyy-MM-dd')
GROUP BY date_trunc('day', from_iso8601_timestamp("timestamp")), job_name
ORDER BY date DESC, job_name;
