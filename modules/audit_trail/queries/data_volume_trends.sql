-- Data-volume trends: per UTC hour and job, the records loaded (load_completed events) in the last 24
-- hours. The monitoring guide's query, in Athena's (Trino) SQL: the ISO 8601 "timestamp" string parsed
-- with from_iso8601_timestamp(), INTERVAL '24' HOUR instead of '24 hours', the partitions of the last
-- two UTC days only.
SELECT
    date_trunc('hour', from_iso8601_timestamp("timestamp")) AS hour,
    job_name,
    avg(records_processed) AS avg_records,
    min(records_processed) AS min_records,
    max(records_processed) AS max_records
FROM job_events
WHERE event_type = 'load_completed'
    AND from_iso8601_timestamp("timestamp") >= current_timestamp - INTERVAL '24' HOUR
    AND concat(year, '-', month, '-', day) >= format_datetime(current_timestamp - INTERVAL '24' HOUR, 'yyyy-MM-dd')
GROUP BY date_trunc('hour', from_iso8601_timestamp("timestamp")), job_name
ORDER BY hour DESC, job_name;
