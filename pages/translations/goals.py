"""Japanese text of the Goals page (pages/goals.py, pages/figures/goals.py)."""

JA: dict[str, str] = {
    "Who is on track? Attainment, pace and projection of every target for the company, each "
    "team and each rep, the leaderboard, and the targets themselves.": "誰が目標どおりか。全社・"
    "チーム・担当者ごとの目標の達成率、ペース、着地見込み、ランキング、そして目標そのもの。",
    "Progress": "進捗",
    "Leaderboard": "ランキング",
    "Edit targets": "目標の編集",
    "Import from CSV": "CSVから取り込み",
    "Metric": "指標",
    "Attainment and pace": "達成率とペース",
    "Targets": "目標一覧",
    "Pace line of": "ペースラインを表示する目標",
    "Reps shown": "表示する担当者",
    "Furthest behind": "遅れている順",
    "Furthest ahead": "進んでいる順",
    "{shown} of {total} reps drawn.": "担当者 {total} 人のうち {shown} 人を表示しています。",
    "{shown} of {total} targets listed; the CSV holds all of them.": "目標 {total} 件のうち {shown} 件を表示しています。CSVにはすべて含まれます。",
    "The first {shown} of {total} reps; the CSV holds all of them.": "担当者 {total} 人のうち上位 {shown} 人です。CSVにはすべて含まれます。",
    "Bars: share of the target reached, coloured by status. Black tick: where the target "
    "expects to be by now. Diamond: projection at the period's end. Click a bar to see its "
    "pace line.": "棒: 目標に対する達成割合 (色は状況)。黒い縦線: 現時点で到達しているべき位置。"
    "ひし形: 期末の着地見込み。棒をクリックするとペースラインを表示します。",
    "{elapsed} of the period has gone.": "期間の {elapsed} が経過しました。",
    "{name}: actual against the pace line": "{name}: 実績とペースライン",
    "Reps ranked by attainment of their {metric} targets in the period; reps without a target "
    "follow, by their actual.": "期間内の「{metric}」目標の達成率で担当者を順位付けします。"
    "目標のない担当者は実績順にその後に続きます。",
    "No target overlaps this period for the filtered team or owner.": "この期間に重なる、選択中のチーム・担当者の目標がありません。",
    "Choose another period, or add targets in the Edit targets tab.": "別の期間を選ぶか、「目標の編集」タブで目標を追加してください。",
    "No rep has a target or a result in this period.": "この期間に目標または実績のある担当者がいません。",
    "Choose a longer period or clear the owner filter.": "期間を長くするか、担当者フィルターを解除してください。",
    "The targets of the period (and of the team or owner filtered on). Add a row at the bottom, "
    "change cells, or select rows and delete them; nothing is stored until you save. A new row "
    "gets its id when saved.": "期間の目標 (チーム・担当者で絞り込んでいる場合はその目標) です。"
    "下端で行を追加、セルを変更、行を選択して削除できます。保存するまで何も書き込まれません。"
    "新しい行のIDは保存時に付きます。",
    "Target id": "目標ID",
    "Scope": "範囲",
    "Team or owner": "チームまたは担当者",
    "Empty for a company target.": "全社目標では空欄にします。",
    "One of {metrics}, or activities_completed:<type>.": "{metrics} のいずれか、または activities_completed:<種類>。",
    "First day": "開始日",
    "Last day": "終了日",
    "Target value": "目標値",
    "Save targets": "目標を保存",
    "{n} problem found; nothing was saved.": "{n} 件の問題が見つかりました。何も保存していません。",
    "{n} problems found; nothing was saved.": "{n} 件の問題が見つかりました。何も保存していません。",
    "Saved: {inserted} added, {updated} changed, {deleted} deleted.": "保存しました: 追加 {inserted} 件、変更 {updated} 件、削除 {deleted} 件。",
    "A CSV file of targets goes through the same importer as the command line (python -m "
    "analytics import --kind targets): every problem is listed before anything is written. "
    "Rows with a known id replace that target; others are added.": "目標のCSVファイルは"
    "コマンドライン (python -m analytics import --kind targets) と同じ取り込み処理を通ります。"
    "書き込む前に問題をすべて表示します。既存のIDの行はその目標を置き換え、それ以外は追加されます。",
    "Targets file (CSV)": "目標ファイル (CSV)",
    "{n} problem found; nothing will be imported.": "{n} 件の問題が見つかりました。何も取り込みません。",
    "{n} problems found; nothing will be imported.": "{n} 件の問題が見つかりました。何も取り込みません。",
    "{rows} row checked, no problem found.": "{rows} 行を確認しました。問題はありません。",
    "{rows} rows checked, no problem found.": "{rows} 行を確認しました。問題はありません。",
    "Import targets": "目標を取り込む",
    "Imported: {inserted} added, {updated} changed.": "取り込みました: 追加 {inserted} 件、変更 {updated} 件。",
    "Row": "行",
    "Column": "列",
    "Value": "値",
    "Problem": "問題",
    # Figures and tables (pages/figures/goals.py)
    "No targets to show.": "表示する目標がありません。",
    "Status": "状況",
    "Attainment": "達成率",
    "Expected by now": "現時点の想定",
    "Projection": "着地見込み",
    "Share of target": "目標に対する割合",
    "Actual so far": "これまでの実績",
    "Pace line (expected by then)": "ペースライン (その日までの想定)",
    "Expected by then": "その日までの想定",
    "Day": "日付",
    "Cumulative": "累計",
    "Cumulative ({unit})": "累計 ({unit})",
    "Target {value}": "目標 {value}",
    "Company": "全社",
    "{team} (team)": "{team} (チーム)",
    "Period elapsed": "期間の経過",
    "Pace": "ペース",
    "Actual": "実績",
    "Required per day": "1 日あたりの必要実績",
    "No target": "目標なし",
    "Target": "目標",
    "Rank": "順位",
    "Rep": "担当者",
    "Team": "チーム",
    "Achieved": "達成",
    "On track": "順調",
    "At risk": "要注意",
    "Behind": "遅れ",
    "Missed": "未達",
    "Not started": "未開始",
    "Won revenue": "受注額",
    "Deals won": "受注件数",
    "New deals": "新規商談",
    "Pipeline created": "創出パイプライン",
    "Activities completed": "完了した活動数",
}
