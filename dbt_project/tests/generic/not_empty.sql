{#- Fails when the model has no row: a mart that came out empty (a broken join, a source that
    loaded nothing) must never pass unnoticed. A warning, not an error: a platform that
    delivered nothing today empties its marts legitimately, and that is no reason to hold
    anything back. -#}
{% test not_empty(model) %}

{{ config(meta={'posttrade_severity': 'warn'}) }}

select 'no rows' as failure
where not exists (select 1 from {{ model }})

{% endtest %}
