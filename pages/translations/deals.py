"""Japanese text of the Deals page (pages/deals.py, pages/figures/deals.py)."""

JA: dict[str, str] = {
    "The records behind every chart: find deals with the filters and the search, then open "
    "one deal's timeline.": "すべてのグラフの元になるレコードです。フィルターと検索で商談を探し、"
    "商談ごとのタイムラインを開きます。",
    # Timeline
    "There is no deal with the ID {deal_id} in this database.": "このデータベースに ID "
    "{deal_id} の商談はありません。",
    "Close": "閉じる",
    "Timeline of one deal": "商談のタイムライン",
    "Status": "状況",
    "Stage": "ステージ",
    "In the deal's own currency: {amount}": "商談の通貨建て: {amount}",
    "Created": "作成日",
    "Closed": "クローズ日",
    "Expected close": "クローズ予定日",
    "Bars: the stage visits up to the as-of date (the current one highlighted). Points: "
    "activities by type (filled: completed, open circle: planned, cross: overdue). On an open "
    "deal the dotted line is the end of the as-of date.": "棒: 基準日までのステージ滞在 (現在の"
    "ステージは強調表示)。点: 種類ごとの活動 (塗りつぶし: 完了、白抜き: 予定、×: 期限切れ)。"
    "進行中の商談では点線が基準日の終わりです。",
    "Fields": "項目",
    "Field": "項目",
    "Value": "値",
    "Amount and close-date changes": "金額とクローズ予定日の変更",
    "No recorded change of the amount or the expected close date.": "金額やクローズ予定日の"
    "変更記録はありません。",
    "No activity is linked to this deal.": "この商談に紐づく活動はありません。",
    "When": "日時",
    "What": "内容",
    "From": "変更前",
    "To": "変更後",
    "This deal has no stage history and no dated activity.": "この商談にはステージ履歴も日付の"
    "ある活動もありません。",
    "As of": "基準日",
    "Stage visits": "ステージ滞在",
    "Activity: {type}": "活動: {type}",
    "{days} in the stage": "ステージ滞在 {days}",
    "From {start} to {end}": "{start} から {end} まで",
    "still there at the as-of date": "基準日時点で滞在中",
    "Amount in the deal's currency": "商談の通貨建ての金額",
    "Organization": "取引先",
    "Industry": "業種",
    "Region": "地域",
    "Product": "製品",
    "Segment": "セグメント",
    "Lost reason": "失注理由",
    "First activity": "初回活動",
    "Last activity": "最終活動",
    "Type": "種類",
    "State": "状態",
    "Rep": "担当者",
    "Subject": "件名",
    "Outcome": "結果",
    "Date": "日付",
    "Completed": "完了",
    "Planned": "予定",
    "Overdue": "期限切れ",
    "(none)": "(なし)",
    # The list
    "Deal list": "商談一覧",
    "Search": "検索",
    "Part of a deal's name or ID": "商談名または ID の一部",
    "Which deals": "対象の商談",
    "Which deals the period selects. Every choice leaves out deals created after the as-of "
    "date, and shows each deal as it stood at the end of that day.": "期間でどの商談を選ぶか。"
    "どの選択でも基準日より後に作成された商談は除き、各商談を基準日の終わり時点の状態で示します。",
    "Open during the period": "期間中に進行中だった商談",
    "Created in the period": "期間内に作成された商談",
    "Closed in the period": "期間内にクローズした商談",
    "All deals (ignore the period)": "すべての商談 (期間を無視)",
    "All": "すべて",
    "Open": "進行中",
    "Won": "受注",
    "Lost": "失注",
    "Sort by": "並べ替え",
    "Order": "順序",
    "Descending": "降順",
    "Ascending": "昇順",
    "Rows per page": "1 ページの行数",
    "Page (of {pages})": "ページ (全 {pages})",
    "No deal matches these filters and this search.": "このフィルターと検索に一致する商談は"
    "ありません。",
    "Try another period, fewer filters, or a shorter search text.": "別の期間、少ないフィルター、"
    "短い検索語を試してください。",
    "Showing deals **{first}–{last}** of **{total}**": "**{total}** 件中 **{first}–{last}** 件目を"
    "表示",
    "Showing deal **{first}** of **{total}**": "**{total}** 件中 **{first}** 件目を表示",
    "Showing **{total}** deal": "**{total}** 件を表示",
    "Showing all **{total}** deals": "**{total}** 件を表示",
    "{open} open, {won} won, {lost} lost · total amount **{amount}**": "進行中 {open}、受注 {won}"
    "、失注 {lost} · 金額合計 **{amount}**",
    "Amount": "金額",
    "Amount ({currency})": "金額 ({currency})",
    "Name": "名前",
    "Deal": "商談",
    "Deal ID": "商談ID",
    "Pipeline": "パイプライン",
    "Owner": "担当者",
    "Team": "チーム",
    "Source": "流入元",
    "Days in current stage": "現ステージの滞在日数",
    "Activities": "活動",
    "Open the selected deal's timeline": "選択した商談のタイムラインを開く",
    "Download {n} deal as CSV": "全 {n} 件の商談を CSV でダウンロード",
    "Download all {n} deals as CSV": "全 {n} 件の商談を CSV でダウンロード",
    "The download holds the first {cap} of {total} deals in this order.": "ダウンロードには"
    "この順序で {total} 件中最初の {cap} 件が入ります。",
}
