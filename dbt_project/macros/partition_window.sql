{#
  The business-date window of a partitioned run, read at execution (never while parsing):
  Dagster sets POSTTRADE_WINDOW_MIN_DATE / POSTTRADE_WINDOW_MAX_DATE in the environment of
  its `dbt build` (the partition or partition range). Not `--vars`: dbt hashes the command
  line vars into its partial-parse state, so a new window every run forced a full parse.
  By hand, `--vars '{min_date: .., max_date: ..}'` still works (and wins over the
  environment), at the price of that full parse. Without either, a model builds in full.
#}
{% macro partition_window_bound(name) %}
    {{ return(var(name, none) or env_var('POSTTRADE_WINDOW_' ~ (name | upper), '') or none) }}
{% endmacro %}

{% macro has_partition_window() %}
    {{ return(
        partition_window_bound('min_date') is not none
        and partition_window_bound('max_date') is not none
    ) }}
{% endmacro %}

{#
  True for rows that came from a file of the window: the file's partition (its latest
  business date, stg_ingestion__files) lies in [min_date, max_date]. Filtering on the file,
  not the row's own date, takes in a late status for an earlier date with the delivery
  that brought it. A model calling this declares `-- depends_on: {{ ref('stg_ingestion__files') }}`.
#}
{% macro delivered_in_window(file_sha256_column) %}
    {{ file_sha256_column }} in (
        select window_files.file_sha256
        from {{ ref('stg_ingestion__files') }} as window_files
        where
            window_files.business_date
            between cast('{{ partition_window_bound("min_date") }}' as date) and cast('{{ partition_window_bound("max_date") }}' as date)
    )
{% endmacro %}

{# When this run wrote the row: one value per dbt invocation, the same on both warehouses. #}
{% macro run_loaded_at() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{% endmacro %}

{#
  The ids of versioned messages (allocations 35=J, confirmations 35=AK) a partitioned run
  rewrites: those the window's files deliver, and those that these messages, in this or any
  earlier delivery, replace or cancel (`ref_column`), whose status a late successor changes.
  A select of one column, for `where <id> in (...)`.
#}
{% macro versions_touched_in_window(relation, id_column, ref_column) %}
    select window_messages.{{ id_column }}
    from {{ relation }} as window_messages
    where {{ delivered_in_window('window_messages.file_sha256') }}
    union all
    select named.{{ ref_column }}
    from {{ relation }} as named
    where
        named.{{ ref_column }} is not null
        and named.{{ id_column }} in (
            select window_named.{{ id_column }}
            from {{ relation }} as window_named
            where {{ delivered_in_window('window_named.file_sha256') }}
        )
{% endmacro %}
