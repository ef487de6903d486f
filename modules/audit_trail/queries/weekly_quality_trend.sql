-- Weekly quality trend: per ISO week (Monday, UTC) and job, the data quality scores of the last 30 days
-- (the oldest week is partial). The monitoring guide's query, in Athena's (Trino) SQL: the ISO 8601
-- "timestamp" string parsed with from_iso8601_timestamp(), INTERVAL '30' DAY instead of '30 days', the
-- partitions of the last 31 UTC days only. stddev() is the sample standard deviation (NULL for one run).
SELECT
    date_trunc('week', from_iso8601_timestamp("timestamp")) AS week,
    job_name,
    avg(quality_score) AS avg_quality_score,
    min(quality_score) AS min_quality_score,
    stddev(quality_score) AS quality_score_stddev
FROM data_quality_events
WHERE from_iso8601_timestamp("timestamp") >= current_timestamp - INTERVAL '30' DAY
    AND concat(year, '-', month, '-', day) >= format_datetime(current_timestamp - INTERVAL '30' DAY, 'yyyy-MM-dd')
GROUP BY date_trunc('week', from_iso8601_timestamp("timestamp")), job_name
ORDER BY week DESC, job_name;
