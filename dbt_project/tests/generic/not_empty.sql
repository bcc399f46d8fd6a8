{#- Fails when the model has no row: a mart that came out empty (a broken join, a source that
    loaded nothing) must never pass its tests. -#}
{% test not_empty(model) %}

select 'no rows' as failure
where not exists (select 1 from {{ model }})

{% endtest %}
