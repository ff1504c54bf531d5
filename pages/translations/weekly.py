"""Japanese text of the Weekly meeting page, its figures and the meeting pack."""

JA: dict[str, str] = {
    # Page (pages/weekly.py)
    "What changed between two dates: the movements, slipped and stalled deals per rep, the "
    "pipeline waterfall, and the meeting pack.": "二つの日付の間に何が変わったか。商談の動き、"
    "担当者ごとの遅延・停滞商談、パイプラインのウォーターフォール、会議資料。",
    "Compare from": "比較の開始日",
    "Up to": "比較の終了日",
    "Changes count from the day after this date.": "この日の翌日からの変化を数えます。",
    "Changes count up to the end of this day; stalled deals are judged on it.": "この日の終わり"
    "までの変化を数えます。停滞商談はこの日で判定します。",
    "Choose a start date before the end date.": "開始日は終了日より前の日付を選んでください。",
    "Changes after {a} up to the end of {b}. {filters}. The period and as-of filters do not "
    "apply here: these two dates take their place.": "{a} の翌日から {b} の終わりまでの変化。"
    "{filters}。期間と基準日のフィルターはここでは使わず、この二つの日付を使います。",
    "Meeting pack (HTML)": "会議資料 (HTML)",
    "Meeting pack (PDF)": "会議資料 (PDF)",
    "One file with this page's charts (interactive, offline) and action lists.": "このページの"
    "グラフ(オフラインで操作可能)とアクションリストを一つのファイルにまとめます。",
    "The HTML pack printed by Chromium; takes a few seconds.": "HTML 資料を Chromium で印刷"
    "します。数秒かかります。",
    "No Chromium on the server to print a PDF: download the HTML pack and print it from your "
    "browser.": "サーバーに PDF を印刷する Chromium がありません。HTML 資料をダウンロードして"
    "ブラウザーから印刷してください。",
    "Deals closed as {kind} in the window, with their current amount.": "期間中に{kind}で"
    "クローズした商談と、その現在の金額。",
    "Slipped": "遅延",
    "Stalled": "停滞",
    "What changed": "変化",
    "Action lists per rep": "担当者別アクションリスト",
    "The week’s movements": "期間中の商談の動き",
    "Nothing moved in this window.": "この期間に動いた商談はありません。",
    "Widen the dates or clear the owner, team or pipeline filters.": "日付の範囲を広げるか、"
    "担当者・チーム・パイプラインのフィルターを解除してください。",
    "Show the deals of a movement": "動きの内訳の商談を表示",
    "No open pipeline in this window.": "この期間に進行中のパイプラインはありません。",
    "Show the deals of a step": "ステップの内訳の商談を表示",
    "The waterfall's numbers": "ウォーターフォールの数値",
    "No slipped or stalled deals.": "遅延・停滞している商談はありません。",
    "All reps": "全担当者",
    "Close date pushed out in the window, or past while still open at {b}.": "期間中に完了予定日"
    "が延期された商談、または {b} 時点で進行中のまま完了予定日を過ぎた商談。",
    "Open at {b} and idle longer than their stage allows.": "{b} 時点で進行中で、ステージの"
    "許容日数より長く動きのない商談。",
    "None for this rep.": "この担当者には該当がありません。",
    "Showing {shown} of {n}; the full list:": "{n} 件中 {shown} 件を表示。全件:",
    "No deals were due or pushed in this window.": "この期間に完了予定の商談も延期された商談も"
    "ありません。",
    "Of the deals due after {a} up to {b} (expected close date then), the share still open at "
    "the end of {b} with the date pushed out or past. Reps with the most slipped deals first.": "{a} の翌日から {b} までに完了予定だった商談(その時点の完了予定日)のうち、{b} の終わりに"
    "完了予定日が延期されたか過ぎたまま進行中の割合。遅延の多い担当者から表示します。",
    "The chart shows the first {shown} of {n} reps.": "グラフには {n} 人中 上位 {shown} 人の"
    "担当者を表示しています。",
    # Figures and tables (pages/figures/weekly.py)
    "New": "新規",
    "Advanced": "前進",
    "Moved back": "後退",
    "Won": "受注",
    "Lost": "失注",
    "Open on {day}": "{day} 時点の進行中",
    "New deals": "新規商談",
    "Amount changes": "金額の変更",
    "Reopened / other": "再開 / その他",
    "Open on<br>{day}": "{day}<br>時点の進行中",
    "Amount<br>changes": "金額の<br>変更",
    "Reopened<br>/ other": "再開<br>/ その他",
    "No movements in this window.": "この期間に動きはありません。",
    "No pipeline to show in this window.": "この期間に表示するパイプラインはありません。",
    "Deal": "商談",
    "Amount": "金額",
    "Rep": "担当者",
    "Stage": "ステージ",
    "When": "日時",
    "Last activity": "最終活動",
    "Overdue": "期限切れ",
    "Without exchange rate": "為替レートなし",
    "Open pipeline ({currency})": "進行中のパイプライン ({currency})",
    "Share of due deals that slipped": "完了予定の商談のうち遅延した割合",
    "{share} (n={n})": "{share} (n={n})",
    "{share} (n={n}, small sample)": "{share} (n={n}、少数サンプル)",
    "Movement": "動き",
    "Step": "ステップ",
    "Close date was": "変更前の完了予定日",
    "Close date now": "現在の完了予定日",
    "Days pushed": "延期日数",
    "Why": "理由",
    "What to do": "やること",
    "Days idle": "停滞日数",
    "Limit (days)": "許容日数",
    "Last stage change": "最終ステージ変更",
    "Pushed out": "延期",
    "Confirm the new close date and what it depends on": "新しい完了予定日とその前提を確認する",
    "Update the close date or close the deal": "完了予定日を更新するか、商談をクローズする",
    "Agree the next step and its date": "次のステップと期日を決める",
    "Closed since: check why the date slipped": "その後クローズ済み。遅れた理由を確認する",
    "Slipped amount": "遅延の金額",
    "Stalled amount": "停滞の金額",
    "Due in window": "期間内の完了予定",
    "Slipped share": "遅延の割合",
    "95% interval": "95% 区間",
    "Close-date pushes": "完了予定日の延期回数",
    # Meeting pack (pages/figures/pack.py)
    "What changed after {a} up to the end of {b}": "{a} の翌日から {b} の終わりまでの変化",
    "Made on {day}": "作成日 {day}",
    "Slipped and stalled deals by rep": "担当者別の遅延・停滞商談",
    "Stalled at the end of {day}.": "停滞は {day} の終わり時点で判定。",
    "… and {n} more.": "… ほか {n} 件。",
    "… and {n} more rep.": "… ほか {n} 人の担当者。",
    "… and {n} more reps.": "… ほか {n} 人の担当者。",
    "How these numbers are computed": "数値の算出方法",
}
