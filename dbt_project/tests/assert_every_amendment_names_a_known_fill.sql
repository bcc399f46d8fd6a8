-- A correction or bust whose fill never arrived cannot be applied: it is kept in staging and
-- reported here rather than silently ignored.
{{ config(meta={'posttrade_severity': 'warn'}) }}

with

amendments as (
    select * from {{ ref('stg_oms__execution_reports') }}
    where exec_event in ('correction', 'bust')
),

known_executions as (
    select exec_id from {{ ref('stg_oms__execution_reports') }}
)

select
    amendments.exec_id,
    amendments.exec_ref_id
from amendments
where not exists (
    select 1 from known_executions
    where known_executions.exec_id = amendments.exec_ref_id
)
