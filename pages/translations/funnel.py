"""Japanese text of the Funnel page (pages/funnel.py, pages/figures/funnel.py)."""

JA: dict[str, str] = {
    # Page
    "Where do deals drop out? Deals reaching each stage, stage-to-stage and cumulative "
    "conversion, and what became of them.": "商談はどこで離脱するか。各ステージに到達した商談数、"
    "ステージ間と累積の転換率、そしてその後どうなったか。",
    "The deals in view belong to {n} pipelines, each with its own stages: the funnel shows one "
    "pipeline at a time (choose a pipeline in the sidebar to keep it).": "表示中の商談は {n} つの"
    "パイプラインにまたがり、それぞれステージが異なります。ファネルは一度に一つのパイプラインを"
    "表示します (固定するにはサイドバーでパイプラインを選んでください)。",
    "Funnel mode": "ファネルの数え方",
    "No deals in the funnel for these filters.": "この条件ではファネルに入る商談がありません。",
    "Try a longer period, another funnel mode or fewer filters.": "期間を長くする、別の数え方に"
    "する、または絞り込みを減らしてください。",
    "Deals at the first stage": "最初のステージの商談数",
    "Conversion to Won": "受注までの転換率",
    "Most deals lost at": "失注が最も多いステージ",
    "{n} lost deal, {share} of all": "失注 {n} 件 (全体の {share})",
    "{n} lost deals, {share} of all": "失注 {n} 件 (全体の {share})",
    "Deals reaching each stage": "各ステージに到達した商談",
    "Where deals were lost": "失注したステージ",
    "Deals behind a stage": "ステージの内訳となる商談",
    "Show the deals that": "表示する商談",
    "reached it": "到達した商談",
    "dropped out at it": "ここで離脱した商談",
    "Click a bar of either chart, or choose a stage, to list its deals.": "どちらかのグラフの棒を"
    "クリックするか、ステージを選ぶと商談が一覧表示されます。",
    "The {shown} largest of {total} deals, largest amount first.": "{total} 件のうち金額の大きい"
    "順に {shown} 件。",
    "Split by": "切り口",
    "Compare periods": "期間の比較",
    "Modes side by side": "数え方の比較",
    "No deals to split for these filters.": "この条件では切り口別に分ける商談がありません。",
    "Try a longer period.": "期間を長くしてください。",
    "The chart shows the {shown} groups with the most deals of {total}.": "グラフには {total} "
    "グループのうち商談数の多い {shown} グループを表示しています。",
    "The table lists the {shown} groups with the most deals of {total}.": "表には {total} "
    "グループのうち商談数の多い {shown} グループを載せています。",
    "Bars show the share of each group's deals at the first stage that reached the stage; "
    "hatched bars rest on fewer than 20 deals.": "棒は各グループの最初のステージの商談のうち、"
    "そのステージに到達した割合です。斜線の棒は商談数 20 件未満です。",
    "Compare with": "比較対象",
    "Previous period": "前の期間",
    "Another range": "別の期間",
    "Second period": "比較する期間",
    "No deals in either period.": "どちらの期間にも商談がありません。",
    "The same stages counted three ways. Reached or passed back-fills skipped stages; entered "
    "counts only the stages deals entered; active counts the period's entries whatever the "
    "deals' creation date.": "同じステージを三つの方法で数えます。「到達または通過」は飛ばした"
    "ステージも通過済みとして数え、「入った」は実際に入ったステージだけを数え、「期間内の"
    "動き」は作成日に関係なく期間内にステージへ入った商談を数えます。",
    "No deal entered a stage in this period.": "この期間にステージへ入った商談はありません。",
    "Every visit of a stage that began in the period, by what became of it: entered = advanced "
    "+ lost + moved back + still there.": "期間内に始まったステージ滞在を、その後の結果別に"
    "示します: 入った = 前進 + 失注 + 後退 + 滞在中。",
    "No stage moves in this period.": "この期間にステージの移動はありません。",
    "Moves from each stage (rows) to the deal's next stage event (columns) in the period, "
    "skipped stages and moves back included.": "期間内の各ステージ (行) から次のステージ (列) "
    "への移動。ステージの飛ばしと後退も含みます。",
    # Funnel modes
    "Reached or passed": "到達または通過",
    "Entered": "入った",
    "Active in the period": "期間内の動き",
    "Deals created in the period, counted at every stage up to the furthest one they entered: "
    "a deal that skipped a stage still passed it, and a won deal passed them all.": "期間内に"
    "作成された商談を、入った最も先のステージまでのすべてのステージで数えます。ステージを"
    "飛ばした商談もそのステージを通過したものとし、受注した商談はすべてのステージを通過した"
    "ものとします。",
    "Deals created in the period, counted only at the stages they actually entered: skipped "
    "stages are not back-filled, so a stage can convert above 100%.": "期間内に作成された商談を、"
    "実際に入ったステージだけで数えます。飛ばしたステージは補わないため、転換率が 100% を"
    "超えることがあります。",
    "Deals that entered each stage during the period, whatever their creation date; Won counts "
    "the deals won in the period. Shows the period's activity rather than a cohort.": "作成日に"
    "関係なく、期間内に各ステージへ入った商談を数えます。受注は期間内に受注した商談です。"
    "コホートではなく期間内の動きを示します。",
    # Figures and tables
    "(created)": "(作成)",
    "No deal reached a stage of this pipeline in this view.": "この表示ではこのパイプラインの"
    "ステージに到達した商談がありません。",
    "{count}<br>{step} of previous, {cumulative} of first": "{count}<br>前のステージの {step}、"
    "最初の {cumulative}",
    "95% interval {low}–{high}": "95% 区間 {low}–{high}",
    "Deals: {n}": "商談数: {n}",
    "Stage-to-stage: {rate}": "ステージ間: {rate}",
    "Cumulative: {rate}": "累積: {rate}",
    "Dropped out here: {n}": "ここで離脱: {n}",
    "No deal of this view was lost.": "この表示には失注した商談がありません。",
    "Lost at this stage: {n}": "このステージでの失注: {n}",
    "Share of all lost: {share}": "失注全体に占める割合: {share}",
    "Deals lost": "失注した商談数",
    "Stage-to-stage": "ステージ間",
    "Dropped out here": "ここで離脱",
    "No deals to split in this view.": "この表示には切り口別に分ける商談がありません。",
    "{group} (n={n})": "{group} (n={n})",
    "No deals in this view.": "この表示には商談がありません。",
    "{period} (n={n})": "{period} (n={n})",
    "Deals ({period})": "商談数 ({period})",
    "Cumulative ({period})": "累積 ({period})",
    "{points} pts": "{points} ポイント",
    "Change": "変化",
    "Still there": "滞在中",
    "{n} of {entered} visit ({share})": "{entered} 回の滞在のうち {n} 回 ({share})",
    "{n} of {entered} visits ({share})": "{entered} 回の滞在のうち {n} 回 ({share})",
    "Visits entered in the period": "期間内に始まった滞在",
    "{source} → {target}: {n} move": "{source} → {target}: {n} 回の移動",
    "{source} → {target}: {n} moves": "{source} → {target}: {n} 回の移動",
    "Kind": "種類",
    "Moves": "移動回数",
    "Forward": "前進",
    "Skip": "飛ばし",
    "Back": "後退",
    "Entered the stage": "ステージに入った日時",
    "Left the stage": "ステージを出た日時",
    "Days in the stage": "ステージの滞在日数",
    "From stage": "移動元のステージ",
    "To stage": "移動先のステージ",
    "{rate} (n={n})": "{rate} (n={n})",
    "{rate} (n={n}, small sample)": "{rate} (n={n}、少数サンプル)",
    # Shared with other pages' catalogs (same text there), kept here so this page is complete.
    "95% interval": "95% 区間",
    "Advanced": "前進",
    "Moved back": "後退",
    "Amount": "金額",
    "Amount ({currency})": "金額 ({currency})",
    "Closed": "クローズ日",
    "Created": "作成日",
    "Deal": "商談",
    "Deal ID": "商談ID",
    "Lost": "失注",
    "Won": "受注",
    "Stage": "ステージ",
    "Status": "状況",
    "Try a longer period or fewer filters.": "期間を長くするか、フィルターを減らしてください。",
}
