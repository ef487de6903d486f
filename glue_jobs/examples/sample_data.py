"""A deterministic sample of raw customer records, with bad rows at known places.

Every value is a function of the row number (Spark's xxhash64, no random generator), so the same
``(rows, bad_every, as_of)`` always gives the same data, on a laptop or in Glue. In each block of
``bad_every`` rows (>= 10) the rows at these offsets are bad, one kind each:

====== ============================================================ ==========================
offset problem                                                       rule it breaks
====== ============================================================ ==========================
1      email missing                                                completeness (email_not_null)
3      email malformed (``name(at)example.com``)                    validity (email_format)
5      same customer_id as offset 6, older ``updated_at``           uniqueness (customer_id_unique)
7      country ``XX``                                               validity (country_allowed)
8      negative lifetime value                                      validity (lifetime_value_range)
9      signed up after its last update                              consistency (signup_before_update)
====== ============================================================ ==========================

So 6 rows in ``bad_every`` are bad (the default 100 gives 6 %); every other row is clean. Values land as
strings, the way a raw JSON feed does; timestamps are within 30 days before ``as_of``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

RAW_COLUMNS = (
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "country",
    "phone",
    "signup_date",
    "updated_at",
    "lifetime_value",
    "status",
)
RAW_SCHEMA = StructType([StructField(c, StringType(), True) for c in RAW_COLUMNS])
COUNTRIES = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "BR", "MX", "JP", "IN", "AU", "CA")
STATUSES = ("active", "inactive", "prospect")
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim")
LAST_NAMES = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Perlman",
    "Berners-Lee",
)
BAD_OFFSETS = {
    "email_missing": 1,
    "email_malformed": 3,
    "duplicate": 5,
    "country": 7,
    "lifetime_value": 8,
    "signup_after_update": 9,
}


def expected_bad_rows(rows: int, bad_every: int) -> dict[str, int]:
    """How many rows of each kind ``generate`` makes (the duplicate needs its partner at offset 6)."""
    out = {}
    for kind, offset in BAD_OFFSETS.items():
        need = 6 if kind == "duplicate" else offset
        out[kind] = sum(1 for start in range(0, rows, bad_every) if start + need < rows)
    return out


def _pick(values: tuple[str, ...], h: F.Column) -> F.Column:
    return F.element_at(F.array(*(F.lit(v) for v in values)), (F.abs(h) % len(values) + 1).cast("int"))


def generate(
    spark: SparkSession,
    rows: int,
    *,
    bad_every: int = 100,
    as_of: datetime | None = None,
    partitions: int | None = None,
) -> DataFrame:
    """The raw records as a DataFrame of strings (no Spark job runs until it is written)."""
    if rows < 1:
        raise ValueError(f"rows must be >= 1, got {rows}")
    if bad_every < 10:
        raise ValueError(f"bad_every must be >= 10 (six bad rows per block), got {bad_every}")
    as_of = (as_of or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC)
    as_of_s = int(as_of.timestamp())
    n = F.col("id")
    off = n % bad_every

    def h(salt: str) -> F.Column:
        return F.xxhash64(n, F.lit(salt))

    cid = F.when(off == BAD_OFFSETS["duplicate"], n + 1).otherwise(n)
    first = _pick(FIRST_NAMES, h("first"))
    last = _pick(LAST_NAMES, h("last"))
    local_part = F.lower(F.concat_ws(".", first, F.regexp_replace(last, "[^A-Za-z]", ""), F.format_string("%d", cid)))
    email = (
        F.when(off == BAD_OFFSETS["email_missing"], F.lit(None))
        .when(off == BAD_OFFSETS["email_malformed"], F.concat(local_part, F.lit("(at)example.com")))
        .otherwise(
            F.concat(
                F.lit(" "),
                F.upper(F.substring(local_part, 1, 1)),
                F.substring(local_part, 2, 200),
                F.lit("@Example.com "),
            )
        )
    )
    country = F.when(off == BAD_OFFSETS["country"], F.lit("XX")).otherwise(F.lower(_pick(COUNTRIES, h("cc"))))
    updated_s = F.lit(as_of_s) - (F.abs(h("upd")) % (30 * 86400))
    updated_s = F.when(off == BAD_OFFSETS["duplicate"], updated_s - 40 * 86400).otherwise(updated_s)
    signup_days = F.abs(h("sig")) % 3650 + 31
    signup = F.date_sub(F.to_date(F.timestamp_seconds(updated_s)), signup_days.cast("int"))
    signup = F.when(
        off == BAD_OFFSETS["signup_after_update"], F.date_add(F.to_date(F.timestamp_seconds(updated_s)), 5)
    ).otherwise(signup)
    ltv = (F.abs(h("ltv")) % 500000) / 100.0
    ltv = F.when(off == BAD_OFFSETS["lifetime_value"], -ltv - 1).otherwise(ltv)
    phone = F.format_string(
        "+1 (%03d) %03d-%04d", F.abs(h("p1")) % 800 + 200, F.abs(h("p2")) % 1000, F.abs(h("p3")) % 10000
    )

    df = spark.range(0, rows, numPartitions=partitions or max(1, min(8, rows // 100_000 + 1)))
    return df.select(
        F.format_string("C%09d", cid).alias("customer_id"),
        email.alias("email"),
        first.alias("first_name"),
        last.alias("last_name"),
        country.alias("country"),
        phone.alias("phone"),
        F.date_format(signup, "yyyy-MM-dd").alias("signup_date"),
        F.date_format(F.timestamp_seconds(updated_s), "yyyy-MM-dd'T'HH:mm:ss'Z'").alias("updated_at"),
        F.format_string("%.2f", ltv).alias("lifetime_value"),
        _pick(STATUSES, h("st")).alias("status"),
    )


def write_sample(
    spark: SparkSession, path: str, rows: int, *, bad_every: int = 100, as_of: datetime | None = None
) -> str:
    """Write the sample as JSON lines (a raw landing zone) to ``path``, replacing what is there."""
    generate(spark, rows, bad_every=bad_every, as_of=as_of).write.mode("overwrite").json(path)
    return path
