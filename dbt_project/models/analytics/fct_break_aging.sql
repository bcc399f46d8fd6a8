-- One row per recon, root cause, severity and age bucket (break_age_buckets seed): the open
-- breaks of that age, the oldest among them and when the first was seen.
with

breaks as (
    select * from {{ ref('breaks') }}
    where status = 'open'
),

buckets as (
    select * from {{ ref('break_age_buckets') }}
),

bucketed as (
    select
        breaks.*,
        buckets.age_bucket,
        buckets.bucket_order
    from breaks
    inner join buckets
        on
            breaks.age_business_days >= buckets.min_age_business_days
            and (
                buckets.max_age_business_days is null
                or breaks.age_business_days <= buckets.max_age_business_days
            )
),

final as (
    select
        cast(recon as varchar) as recon,
        cast(root_cause as varchar) as root_cause,
        cast(severity as varchar) as severity,
        cast(age_bucket as varchar) as age_bucket,
        cast(bucket_order as integer) as bucket_order,
        cast(count(*) as integer) as open_break_count,
        cast(max(age_business_days) as integer) as oldest_age_business_days,
        min(first_seen_date) as first_seen_date
    from bucketed
    group by recon, root_cause, severity, age_bucket, bucket_order
)

select * from final
