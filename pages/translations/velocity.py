"""Japanese text of the Velocity page (pages/velocity.py, pages/figures/velocity.py)."""

JA: dict[str, str] = {
    # Page
    "Where do deals get stuck, and how long does a sale take? Time in each stage, the sales "
    "cycle, and pipeline velocity with its four inputs.": "商談はどこで停滞し、受注までどれだけ"
    "かかるか。各ステージの滞在日数、営業サイクル、パイプライン速度とその四つの要素。",
    "Velocity per day": "1 日あたりの速度",
    "{sign}{amount} vs previous period": "前の期間比 {sign}{amount}",
    "Open deals": "進行中の商談",
    "Average won amount": "平均受注額",
    "Median won cycle": "受注サイクルの中央値",
    "No velocity for these filters: it needs deals won and lost in the period and a median won "
    "cycle above 0 days.": "この条件では速度を計算できません。期間内の受注・失注商談と、0 日を"
    "超える受注サイクルの中央値が必要です。",
    "{open} open deal × {rate} win rate × {amount} average won amount ÷ {days} = {velocity} per "
    "day": "進行中 {open} 件 × 勝率 {rate} × 平均受注額 {amount} ÷ {days} = 1 日あたり {velocity}",
    "{open} open deals × {rate} win rate × {amount} average won amount ÷ {days} = {velocity} per "
    "day": "進行中 {open} 件 × 勝率 {rate} × 平均受注額 {amount} ÷ {days} = 1 日あたり {velocity}",
    "{n} won deal without an exchange rate is left out of the average.": "為替レートのない受注"
    "商談 {n} 件は平均から除いています。",
    "{n} won deals without an exchange rate are left out of the average.": "為替レートのない受注"
    "商談 {n} 件は平均から除いています。",
    "Time in stage": "ステージ滞在日数",
    "Sales cycle": "営業サイクル",
    "Each pipeline has its own stages: choose the pipeline whose stages to show.": "パイプライン"
    "ごとにステージが異なります。表示するパイプラインを選んでください。",
    "No deals for these filters.": "この条件に合う商談がありません。",
    "Try fewer filters.": "絞り込みを減らしてください。",
    "No stage visits for these filters.": "この条件ではステージ滞在がありません。",
    "Bottleneck: {stage}, a survival-adjusted median of {days} ({share} of the stages' total).": "ボトルネック: {stage}。生存時間調整済みの中央値 {days} (全ステージ合計の {share})。",
    "Boxes span the middle half of the completed visits (whiskers: 10th to 90th percentile, "
    "line: median); the diamond is the survival-adjusted median, which also counts the deals "
    "still sitting in the stage.": "箱は完了した滞在の中央 50% (ひげは 10〜90 パーセンタイル、"
    "線は中央値)。ひし形は生存時間調整済みの中央値で、まだステージに留まっている商談も"
    "数えます。",
    "Click a diamond, or choose a stage, to list its deals.": "ひし形をクリックするか、ステージを"
    "選ぶと商談が一覧表示されます。",
    "Deals in it now, longest first": "現在滞在中の商談 (長い順)",
    "Completed visits, longest first": "完了した滞在 (長い順)",
    "The first {shown} of {total}.": "{total} 件のうち最初の {shown} 件。",
    "No deal closed in this period.": "この期間にクローズした商談はありません。",
    "How long sales take": "受注までにかかる日数",
    "Trend by close month": "クローズ月ごとの推移",
    "Hollow markers: months with fewer than 20 deals closed.": "白抜きの点はクローズした商談が "
    "20 件未満の月です。",
    # Figures and tables
    "No stage visit ended in this period.": "この期間に終わったステージ滞在はありません。",
    "Completed visits": "完了した滞在",
    "Bottleneck": "ボトルネック",
    "Survival-adjusted median": "生存時間調整済みの中央値",
    "Survival-adjusted median: {days}": "生存時間調整済みの中央値: {days}",
    "Median of completed visits: {days} (n={n})": "完了した滞在の中央値: {days} (n={n})",
    "Middle half: {low} – {high}": "中央 50%: {low} – {high}",
    "10th – 90th percentile: {low} – {high}": "10〜90 パーセンタイル: {low} – {high}",
    "In the stage now: {n} deal, median age {days}": "現在滞在中: {n} 件、経過日数の中央値 {days}",
    "In the stage now: {n} deals, median age {days}": "現在滞在中: {n} 件、経過日数の中央値 {days}",
    "Small sample": "少数サンプル",
    "Days in the stage": "ステージの滞在日数",
    "{n} (small sample)": "{n} (少数サンプル)",
    "Median": "中央値",
    "Mean": "平均",
    "25th percentile": "25 パーセンタイル",
    "75th percentile": "75 パーセンタイル",
    "90th percentile": "90 パーセンタイル",
    "In the stage now": "現在滞在中",
    "Median age now": "現在の経過日数の中央値",
    "Share of the cycle": "サイクルに占める割合",
    "{start}+ days": "{start} 日以上",
    "{start}–{end} days": "{start}–{end} 日",
    "Days from creation to close<br>(last bar: {start} days and more)": "作成からクローズまでの"
    "日数<br>(最後の棒: {start} 日以上)",
    "Median cycle, won deals (n={n})": "サイクルの中央値 (受注、n={n})",
    "Median cycle, lost deals (n={n})": "サイクルの中央値 (失注、n={n})",
    "Deals closed": "クローズした商談数",
    "Left out (closed before created)": "除外 (作成前にクローズ)",
    "Median: {days}": "中央値: {days}",
    "Mean: {days}": "平均: {days}",
    "Close month": "クローズ月",
    "Median sales cycle (days)": "営業サイクルの中央値 (日)",
    # Shared with other pages' catalogs (same text there), kept here so this page is complete.
    "Outcome": "結果",
    "Show": "表示",
    "Yes": "はい",
}
