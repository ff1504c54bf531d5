"""Japanese text of the Activities page (pages/activities.py, pages/figures/activities.py)."""

JA: dict[str, str] = {
    # Title caption and tabs
    "Is the team doing the work? Activity volume by type, rep and week, overdue tasks, effort "
    "per won deal, first response to new deals and follow-up after wins.": "チームは動いているか。"
    "種類・担当者・週ごとの活動量、期限切れタスク、受注 1 件あたりの活動数、新規商談への初回対応、"
    "受注後のフォローを示します。",
    "Volume": "活動量",
    "Reps by week": "担当者 × 週",
    "Overdue": "期限切れ",
    "Won deals and follow-up": "受注商談とフォロー",
    "First activity on new deals": "新規商談の初回活動",
    # KPI tiles
    "Completed activities": "完了した活動",
    "{n} planned": "予定 {n} 件",
    "of {n} planned": "予定 {n} 件のうち",
    "Activities per won deal": "受注 1 件あたりの活動数",
    "n={n} won deal": "n={n} 件の受注商談",
    "n={n} won deals": "n={n} 件の受注商談",
    "Median time to first activity": "初回活動まで (中央値)",
    "n={n} of {deals} deal": "n={n} 件 / 商談 {deals} 件",
    "n={n} of {deals} deals": "n={n} 件 / 商談 {deals} 件",
    "Follow-up after a win": "受注後のフォロー率",
    "n={n}, small sample": "n={n}、少数サンプル",
    "n={n}": "n={n}",
    "Table": "表",
    # Volume tab
    "Show": "表示",
    "Break down by": "内訳",
    "Type": "種類",
    "Rep": "担当者",
    "Week": "週",
    "Week of {day}": "{day} の週",
    "The chart shows the {shown} reps with the most activities of {total}.": "グラフには活動の"
    "多い担当者 {shown} 人を表示しています (全 {total} 人)。",
    "Activities behind a bar": "棒の内訳となる活動",
    "Click a bar, or choose here, to list its activities.": "棒をクリックするか、ここで選ぶと"
    "その活動を一覧表示します。",
    "No activities in this period for these filters.": "この期間とフィルターに該当する活動は"
    "ありません。",
    "Try a longer period or fewer filters.": "期間を長くするか、フィルターを減らしてください。",
    "No activities behind this selection.": "この選択に該当する活動はありません。",
    "The {shown} latest of {total} activities.": "全 {total} 件のうち新しい {shown} 件の活動。",
    "All activities": "活動合計",
    "All activities: {n}": "活動合計: {n}",
    "{state}: {n}": "{state}: {n}",
    "Completed": "完了",
    "Planned": "予定",
    "All": "すべて",
    # Heatmap tab
    "No completed activities in this period for these filters.": "この期間とフィルターに該当"
    "する完了済みの活動はありません。",
    "The {shown} reps with the most completed activities of {total}; choose an owner or team "
    "in the sidebar to see others.": "完了した活動の多い担当者 {shown} 人 (全 {total} 人)。"
    "ほかの担当者はサイドバーで担当者かチームを選んでください。",
    "Activities behind a cell": "セルの内訳となる活動",
    "Rep and week": "担当者と週",
    "{rep} · week of {day}": "{rep} · {day} の週",
    "Click a cell, or choose here, to list its activities.": "セルをクリックするか、ここで選ぶと"
    "その活動を一覧表示します。",
    "Completed: {n}": "完了: {n}",
    "Week (starting Monday)": "週 (月曜始まり)",
    "No activities in this view.": "この表示には活動がありません。",
    "No completed activities in this view.": "この表示には完了済みの活動がありません。",
    # Overdue tab
    "No overdue activities in this period for these filters.": "この期間とフィルターに該当する"
    "期限切れの活動はありません。",
    "Nothing to chase: every planned activity due before the as-of date is done.": "追いかける"
    "ものはありません。基準日より前が期限の予定活動はすべて完了しています。",
    "Overdue activities per rep": "担当者ごとの期限切れの活動",
    "The {shown} reps with the most overdue activities of {total}.": "期限切れの活動が多い担当者 "
    "{shown} 人 (全 {total} 人)。",
    "The overdue list": "期限切れの一覧",
    "Every rep's overdue activities; click a bar or choose a rep.": "全担当者の期限切れの活動です。"
    "棒をクリックするか担当者を選んでください。",
    "Overdue activities": "期限切れの活動",
    "Overdue: {n} of {planned} planned": "期限切れ: 予定 {planned} 件のうち {n} 件",
    "No overdue activities in this view.": "この表示には期限切れの活動がありません。",
    # Won deals tab
    "Follow-up window (days after the win)": "フォロー期間 (受注後の日数)",
    "A won deal counts as followed up when a follow_up activity was completed within this "
    "many days of its close date.": "クローズ日からこの日数以内に follow_up の活動が完了していれば、"
    "受注商談はフォロー済みと数えます。",
    "No deals won in this period for these filters.": "この期間とフィルターで受注した商談は"
    "ありません。",
    "**{covered}** of **{won}** won deal followed up": "受注商談 **{won}** 件のうち **{covered}** "
    "件をフォロー済み",
    "**{covered}** of **{won}** won deals followed up": "受注商談 **{won}** 件のうち **{covered}** "
    "件をフォロー済み",
    "**{n}** activity": "活動 **{n}** 件",
    "**{n}** activities": "活動 **{n}** 件",
    "not followed up first.": "未フォローを先に表示。",
    "The first {shown} of {total} won deals.": "受注商談 {total} 件のうち最初の {shown} 件。",
    "Won on": "受注日",
    "Followed up": "フォロー済み",
    "First follow-up": "最初のフォロー",
    "Yes": "はい",
    "No": "いいえ",
    # First activity tab
    "No deals created in this period for these filters.": "この期間とフィルターで作成された商談は"
    "ありません。",
    "Median **{median}**, mean {mean}, 75th percentile {p75}": "中央値 **{median}**、平均 {mean}、"
    "75 パーセンタイル {p75}",
    "**{without}** of {deals} new deal with no completed activity yet": "新規商談 {deals} 件のうち "
    "**{without}** 件はまだ完了した活動がありません",
    "**{without}** of {deals} new deals with no completed activity yet": "新規商談 {deals} 件のうち "
    "**{without}** 件はまだ完了した活動がありません",
    "listed first, then the slowest.": "それらを先に、続いて遅い順に表示。",
    "{n} deal has an activity logged before it was created (a data problem): its activities "
    "are left out.": "{n} 件の商談に作成前の日付の活動があります (データの問題)。"
    "それらの活動は除外しています。",
    "{n} deals have an activity logged before they were created (a data problem): those "
    "activities are left out.": "{n} 件の商談に作成前の日付の活動があります (データの問題)。"
    "それらの活動は除外しています。",
    "The first {shown} of {total} new deals.": "新規商談 {total} 件のうち最初の {shown} 件。",
    "Created": "作成日",
    "First activity": "初回活動",
    "Days to first activity": "初回活動までの日数",
    "Activity logged before creation": "作成前の活動あり",
    # Tables
    "Date": "日付",
    "Activity ID": "活動 ID",
    "State": "状態",
    "Days overdue": "超過日数",
    "Subject": "件名",
    "Deal": "商談",
    "Deal ID": "商談ID",
    "Owner": "担当者",
    "Activities": "活動",
    "Amount": "金額",
    "Amount ({currency})": "金額 ({currency})",
    "(none)": "(なし)",
}
