"""Japanese text of the Overview page (pages/overview.py, pages/figures/overview.py)."""

JA: dict[str, str] = {
    "Are we on track? Won revenue against target, pace and forecast, and the pipeline behind "
    "them, each against the previous period.": "目標どおりか。受注額と目標、ペース、予測、"
    "その裏付けとなるパイプラインを前期間と比べて表示します。",
    "Changes are against the previous period at the same point: {dates}.": "増減は前期間の同じ時点 ({dates}) との比較です。",
    "Target": "目標",
    "Pipeline": "パイプライン",
    "Won revenue": "受注額",
    "Attainment": "達成率",
    "Pace": "ペース",
    "Forecast": "売上予測",
    "Win rate": "勝率",
    "Median sales cycle (won)": "営業サイクル中央値 (受注)",
    "Open pipeline": "進行中のパイプライン",
    "Weighted pipeline": "加重パイプライン",
    "Coverage": "カバレッジ",
    "Status": "状況",
    "Projection": "着地見込み",
    "Deal ID": "商談ID",
    "Deal": "商談",
    "Owner": "担当者",
    "Team": "チーム",
    "Amount": "金額",
    "Won on": "受注日",
    "the company": "全社",
    "No won-revenue target overlaps this period for this scope.": "この期間・範囲に重なる受注額の目標がありません。",
    "Add one on the Goals page, or choose a period with a target.": "目標ページで追加するか、目標のある期間を選んでください。",
    "No won-revenue target overlaps the period.": "この期間に重なる受注額の目標がありません。",
    "The won-revenue targets of {scope} overlapping the period: {days}.": "{scope}の受注額目標のうち期間に重なるもの: {days}。",
    "A forecast needs a period with a start and an end.": "予測には開始日と終了日のある期間が必要です。",
    "Forecast: won so far {won} + weighted open deals due in the period {weighted} ({n} deal). "
    "Commit {commit}, best case {best}. Its change is against the previous period's won "
    "revenue.": "予測: これまでの受注額 {won} + 期間内にクローズ予定の進行中商談の加重額 "
    "{weighted} ({n} 件)。コミット {commit}、ベストケース {best}。増減は前期間の受注額との比較です。",
    "Forecast: won so far {won} + weighted open deals due in the period {weighted} ({n} deals). "
    "Commit {commit}, best case {best}. Its change is against the previous period's won "
    "revenue.": "予測: これまでの受注額 {won} + 期間内にクローズ予定の進行中商談の加重額 "
    "{weighted} ({n} 件)。コミット {commit}、ベストケース {best}。増減は前期間の受注額との比較です。",
    "projected {projection} of {target} by {day}": "{day} の着地見込み {projection} (目標 {target})",
    "The target's period has not started yet.": "目標の期間はまだ始まっていません。",
    "Deals won up to": "この日までに受注した商談",
    "{n} deal won from {first} to {day}: {amount}, the won line that day.": "{first} から "
    "{day} までに受注した商談 {n} 件: {amount} (その日の受注額の線の値)。",
    "{n} deals won from {first} to {day}: {amount}, the won line that day.": "{first} から "
    "{day} までに受注した商談 {n} 件: {amount} (その日の受注額の線の値)。",
    "{n} open deal at the end of {day}: the pipeline tiles are a snapshot of that day.": "{day} "
    "終了時点の進行中の商談 {n} 件。パイプラインの数値はその日時点のスナップショットです。",
    "{n} open deals at the end of {day}: the pipeline tiles are a snapshot of that day.": "{day} "
    "終了時点の進行中の商談 {n} 件。パイプラインの数値はその日時点のスナップショットです。",
    "No deal was won or lost in the period: no win rate or cycle.": "期間内に受注・失注した商談がないため、勝率とサイクルはありません。",
    "Coverage: open deals due in the period {due} ÷ target left {gap}.": "カバレッジ: 期間内にクローズ予定の進行中商談 {due} ÷ 目標の残り {gap}。",
    "{n} pts": "{n} ポイント",
}
