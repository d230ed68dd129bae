"""The evaluation's answers as bar charts, the same for the organisers' and the admins'
result pages."""

from flask import render_template
from markupsafe import Markup

from app import rules
from app.services import messages
from app.services.evaluation import SCALE, Results, seminar_results
from app.web.charts import BarChart, Series, bar_svg


def answer_charts(results: Results) -> dict[str, Markup]:
    """Each statement's answers as a bar chart, by question key."""
    return {
        d.question.key: bar_svg(
            BarChart(
                title=messages.evaluation_chart_title(d.question.text),
                summary=messages.EVALUATION_CHART_SUMMARY,
                labels=tuple(str(value) for value, _label in SCALE),
                series=(Series("Antworten", d.counts),),
                label_heading="Wert",
            ),
            f"q-{d.question.key}",
        )
        for d in results.distributions
    }


def seminar_results_page(template: str, seminar, labels: dict | None, **context) -> str:
    """One seminar's results page: its results with their charts, the free texts'
    questions (None: figures only) and the minimum of answers shown."""
    results = seminar_results(seminar)
    return render_template(
        template,
        seminar=seminar,
        results=results,
        charts=answer_charts(results),
        labels=labels,
        minimum=rules.EVALUATION_MIN_ANSWERS,
        **context,
    )
