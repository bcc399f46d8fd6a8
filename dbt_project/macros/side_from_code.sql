{#- FIX Side (54) code to the side's business name. -#}
{% macro side_from_code(code) -%}
    case {{ code }}
        when '1' then 'buy'
        when '2' then 'sell'
        when '5' then 'sell_short'
        when '6' then 'sell_short_exempt'
        else 'other'
    end
{%- endmacro %}
