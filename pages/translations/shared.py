"""Japanese text of the frame every page shares: navigation, filters, widgets, formats."""

JA: dict[str, str] = {
    # Navigation (pages/shared/navigation.py)
    "Pipeline": "パイプライン",
    "Meeting": "会議",
    "Records": "レコード",
    "Overview": "概要",
    "Funnel": "ファネル",
    "Velocity": "速度",
    "Goals": "目標",
    "Activities": "活動",
    "Weekly meeting": "週次会議",
    "Deals": "商談",
    "Data": "データ",
    "Are we on track? Won revenue against target, pace, forecast, win rate, cycle and "
    "pipeline, each against the previous period.": "目標どおりか。受注額と目標、ペース、予測、"
    "勝率、サイクル、パイプラインを前期間と比較します。",
    "Where do deals drop out? Stage-to-stage and cumulative conversion, by any dimension, and "
    "two periods side by side.": "商談はどこで離脱するか。ステージ間と累積の転換率を任意の"
    "切り口で、二つの期間を並べて表示します。",
    "Where do deals get stuck? Time in each stage, the sales cycle and pipeline velocity.": "商談はどこで停滞するか。各ステージの滞在日数、営業サイクル、パイプライン速度。",
    "Who is on track? Attainment, pace and projection against every target, and the "
    "leaderboard. Targets are edited here.": "誰が目標どおりか。各目標の達成率、ペース、着地"
    "見込みとランキング。目標はここで編集します。",
    "Is the team doing the work? Activity volume, overdue tasks, activities per won deal, "
    "first response and follow-up after wins.": "チームは動いているか。活動量、期限切れタスク、"
    "受注1件あたりの活動数、初回対応、受注後のフォロー。",
    "What changed? New, advanced, won, lost, slipped and stalled deals, the pipeline "
    "waterfall, and the meeting pack.": "何が変わったか。新規・前進・受注・失注・遅延・停滞の"
    "商談、パイプラインのウォーターフォール、会議資料。",
    "The records behind every chart, and one deal's timeline.": "すべてのグラフの元になるレコードと、商談ごとのタイムライン。",
    "Import files, check them before anything is written, see what is loaded, declare "
    "pipelines and restore the sample data.": "ファイルを取り込み、書き込む前に検証し、読み込み"
    "済みの内容を確認し、パイプラインを定義し、サンプルデータを復元します。",
    # Filters (pages/shared/filters.py) and periods (pages/shared/periods.py)
    "Filters": "フィルター",
    "Period": "期間",
    "As of": "基準日",
    "The day the figures describe: deals open, won or lost by the end of that day. It "
    "defaults to the last day of the data.": "数値が表す日です。その日の終わりまでに進行中・受注・"
    "失注だった商談を数えます。既定はデータの最終日です。",
    "From – to": "開始日 – 終了日",
    "All pipelines": "すべてのパイプライン",
    "Pipeline {name}": "パイプライン {name}",
    "Team": "チーム",
    "Owner": "担当者",
    "Source": "流入元",
    "All": "すべて",
    "(empty)": "(空欄)",
    "Another column": "その他の列",
    "(choose a column)": "(列を選択)",
    "Filter on any other column of the deals, custom export columns included.": "商談のその他の列(エクスポート独自の列を含む)で絞り込みます。",
    "Values of {column}": "{column} の値",
    "{dates} · as of {day}": "{dates} · 基準日 {day}",
    "All dates": "全期間",
    "This week": "今週",
    "Last week": "先週",
    "This month": "今月",
    "Last month": "先月",
    "Last 30 days": "過去30日",
    "Last 90 days": "過去90日",
    "This quarter": "今四半期",
    "Last quarter": "前四半期",
    "Year to date": "年初来",
    "This year": "今年",
    "Last year": "昨年",
    "Last 12 months": "過去12か月",
    "All time": "全期間",
    "Custom range": "期間を指定",
    # Widgets and formats (pages/shared/widgets.py, formatting.py, layout.py)
    "Language": "言語",
    "How is this computed?": "この数値の算出方法",
    "Date anchor": "基準となる日付",
    "Left out": "除外",
    "Download CSV": "CSV をダウンロード",
    "No deals behind this selection.": "この選択に該当する商談はありません。",
    "Open the selected deal's timeline": "選択した商談のタイムラインを開く",
    "Click the chart or choose here": "グラフをクリックするか、ここで選択",
    "{n} days": "{n} 日",
    "{label} (n={n})": "{label} (n={n})",
    "{label} (n={n}, small sample)": "{label} (n={n}、少数サンプル)",
    "call": "電話",
    "email": "メール",
    "meeting": "会議",
    "demo": "デモ",
    "task": "タスク",
    "follow up": "フォローアップ",
}
