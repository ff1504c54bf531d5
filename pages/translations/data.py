"""Japanese text of the Data page (pages/data.py): loaded data, import, pipelines, sample data."""

JA: dict[str, str] = {
    # Page and tabs
    "Import and check: what the database holds, new files checked before anything is "
    "written, pipelines and the sample data. Nothing here follows the filters.": "取り込みと確認:"
    "データベースの内容、書き込み前の新しいファイルの検証、パイプライン、サンプルデータ。"
    "このページはフィルターの影響を受けません。",
    "What is loaded": "読み込み済みのデータ",
    "Import files": "ファイルの取り込み",
    "Pipelines": "パイプライン",
    "Sample data": "サンプルデータ",
    # What is loaded
    "Stage events": "ステージ履歴",
    "Leads": "リード",
    "Organizations": "取引先",
    "Contacts": "取引先責任者",
    "Targets": "目標一覧",
    "Pipeline stages": "パイプラインのステージ",
    "Exchange rates": "為替レート",
    "Snapshots": "スナップショット",
    "Deal changes": "商談の変更",
    "Deals created": "商談の作成日",
    "Database file: {path}": "データベースファイル: {path}",
    "Tables": "テーブル",
    "Table": "表",
    "Rows": "行数",
    "First date": "最初の日付",
    "Last date": "最後の日付",
    "Stage history": "ステージ履歴",
    "Stage history: {source}.": "ステージ履歴: {source}。",
    "Stage history from several sources; the table gives each one's share.": "ステージ履歴は"
    "複数の情報源から得ています。各情報源の割合は表のとおりです。",
    "No deals loaded.": "商談が読み込まれていません。",
    "Source of the stage history": "ステージ履歴の情報源",
    "Share": "割合",
    "full stage history from the CRM": "CRM の完全なステージ履歴",
    "built from successive exports (snapshots)": "連続したエクスポート(スナップショット)から作成",
    "derived from created and closed dates only": "作成日とクローズ日のみから推定",
    "no stage events": "ステージ履歴なし",
    "Pipelines and their stages": "パイプラインとステージ",
    "Stages": "ステージ数",
    "Stages in order": "ステージ(順序どおり)",
    "No pipelines defined yet. Declare them in the Pipelines tab or import a pipelines file.": "パイプラインがまだ定義されていません。「パイプライン」タブで定義するか、パイプラインの"
    "ファイルを取り込んでください。",
    "Data quality": "データ品質",
    "These checks read every deal, stage event and activity; on a large store the first look "
    "after an import takes a while.": "これらのチェックはすべての商談、ステージ履歴、活動を読み"
    "ます。大きなデータでは、取り込み後の最初の表示に時間がかかります。",
    "{flagged} of {checks} checks finds records to look at.": "{checks} 件のチェックのうち "
    "{flagged} 件で確認が必要なレコードがあります。",
    "{flagged} of {checks} checks find records to look at.": "{checks} 件のチェックのうち "
    "{flagged} 件で確認が必要なレコードがあります。",
    "Check": "チェック",
    "Records to look at": "確認するレコード数",
    "open deals whose expected close date has passed": "予定クローズ日を過ぎた進行中の商談",
    "deals without an amount": "金額のない商談",
    "open deals without an expected close date": "予定クローズ日のない進行中の商談",
    "closed deals without a close date": "クローズ日のないクローズ済み商談",
    "closed deals whose close date is before their creation date (left out of durations)": "クローズ日が作成日より前のクローズ済み商談(期間の計算から除外)",
    "deals without an owner": "担当者のいない商談",
    "stage moves that skipped at least one stage": "ステージを一つ以上飛ばした移動",
    "stage moves back to an earlier stage": "前のステージへ戻った移動",
    "deals whose stage is not a stage of their pipeline": "パイプラインにないステージの商談",
    "stage events of deals that are not loaded": "読み込まれていない商談のステージ履歴",
    "deals referring to an organization that is not loaded": "読み込まれていない取引先を参照する商談",
    "activities referring to a deal that is not loaded": "読み込まれていない商談を参照する活動",
    "converted leads referring to a deal that is not loaded": "読み込まれていない商談を参照する"
    "コンバート済みリード",
    # Import
    "Files exported from your CRM (CSV, Excel or Parquet)": "CRM からエクスポートしたファイル"
    "(CSV、Excel、Parquet)",
    "Deals, stage history, activities, leads, organizations, contacts, targets, pipelines and "
    "exchange rates; the kind of each file is detected from its columns.": "商談、ステージ履歴、"
    "活動、リード、取引先、取引先責任者、目標、パイプライン、為替レート。各ファイルの種類は列から"
    "判定します。",
    "Add one or more files. Every file is checked before anything is written, and the import "
    "is all or nothing.": "ファイルを一つ以上追加してください。書き込む前にすべてのファイルを"
    "検証し、取り込みはすべて成功するか何も書き込まないかのどちらかです。",
    "Dates written as 01/02/2025": "01/02/2025 のような日付の読み方",
    "Detect from the values": "値から判定",
    "Day first (31/12/2025)": "日が先(31/12/2025)",
    "Month first (12/31/2025)": "月が先(12/31/2025)",
    "This file cannot be read; the check below says why.": "このファイルは読み込めません。"
    "理由は下の検証結果にあります。",
    "{rows}, {columns}, {encoding}": "{rows}、{columns}、{encoding}",
    "{n} data row": "データ {n} 行",
    "{n} data rows": "データ {n} 行",
    "{n} column": "{n} 列",
    "{n} columns": "{n} 列",
    "Kind of records": "レコードの種類",
    "{kind} (detected)": "{kind}(自動判定)",
    "Exported from": "エクスポート元",
    "{crm} (detected)": "{crm}(自動判定)",
    "Generic CSV": "汎用 CSV",
    # CRM names (analytics/presets.py) stay as they are.
    "Salesforce": "Salesforce",
    "HubSpot": "HubSpot",
    "Pipedrive": "Pipedrive",
    "Vtiger": "Vtiger",
    "Zoho CRM": "Zoho CRM",
    "Odoo": "Odoo",
    "Pipelines and stages": "パイプラインとステージ",
    "Where each column of the dashboard comes from. Pick another column of the file, or type "
    "a value every row gets (such as won for a file of won deals).": "ダッシュボードの各列が"
    "ファイルのどの列から来るか。別の列を選ぶか、すべての行に入る値を入力します(受注商談の"
    "ファイルなら status に won など)。",
    "Column": "列",
    "Required": "必須",
    "From the file": "ファイルの列",
    "Fixed value": "固定値",
    "Replace values": "値の置き換え",
    "Give a value of the file its meaning: a status in your CRM's own words, a stage renamed "
    "since, or a marker such as n/a for no value (leave Store instead empty). Values are "
    "compared in any case; add one row per value.": "ファイルの値に意味を与えます。CRM 独自の表記のステータス、名前が変わった"
    "ステージ、値なしを表す n/a などの記号 (「代わりに保存する値」を空欄に) です。大文字と小文字は区別しま"
    "せん。値ごとに 1 行を追加してください。",
    "Value in the file": "ファイル内の値",
    "Store instead": "代わりに保存する値",
    "Values replaced": "置き換えた値",
    "The rows each value was found in; a value found in no row is probably mistyped.": "各値が"
    "見つかった行数です。どの行にもない値は、入力の誤りかもしれません。",
    "Columns kept as custom columns (filters can use them)": "独自の列として保持する列"
    "(フィルターで使えます)",
    "Columns not imported": "取り込まない列",
    "Check before importing": "取り込み前の検証",
    "No problems found: the file can be imported.": "問題は見つかりませんでした。"
    "ファイルを取り込めます。",
    "No problems found: the files can be imported.": "問題は見つかりませんでした。"
    "ファイルを取り込めます。",
    "{n} problem found. Nothing is written until it is fixed, in the file or in the mapping "
    "above.": "{n} 件の問題が見つかりました。ファイルまたは上の列の対応を直すまで、"
    "何も書き込まれません。",
    "{n} problems found. Nothing is written until they are fixed, in the files or in the "
    "mapping above.": "{n} 件の問題が見つかりました。ファイルまたは上の列の対応を直すまで、"
    "何も書き込まれません。",
    "File": "ファイル",
    "Row": "行",
    "Value": "値",
    "Problem": "問題",
    "Note": "注記",
    "Example rows": "該当行の例",
    "{file} was imported before with the same content and options; it is skipped.": "{file} は"
    "同じ内容と設定で取り込み済みのため、スキップします。",
    "Data-quality notes": "データ品質の注記",
    "Rows imported and counted; the Data quality tab keeps the totals.": "これらの行は取り込まれ、"
    "件数が記録されます。合計は「データ品質」タブにあります。",
    "Files with mappings of their own are imported one group after another; each group is all "
    "or nothing.": "独自の列対応を持つファイルはグループごとに順に取り込まれます。各グループは"
    "すべて成功するか何も書き込まないかのどちらかです。",
    "Import {n} files": "{n} 件のファイルを取り込む",
    "Importing…": "取り込み中…",
    "Importing… {step}": "取り込み中… {step}",
    "Import the file": "ファイルを取り込む",
    "Import done: {rows} row added or changed.": "取り込みが完了しました。{rows} 行を追加または"
    "変更しました。",
    "Import done: {rows} rows added or changed.": "取り込みが完了しました。{rows} 行を追加または"
    "変更しました。",
    # Pipelines
    "One row per open stage. Position orders the stages of a pipeline (1 is the first); Won "
    "and Lost follow every pipeline by themselves. The probability, typed from 0 to 1 (0.3 "
    "shows as 30%), weights the forecast; after the rotting days a deal sitting in the stage "
    "counts as stalled. Add a row at the bottom, delete one by selecting it.": "進行中のステージ"
    "ごとに1行です。位置はパイプライン内の順序です(1が最初)。受注と失注はどのパイプラインにも"
    "自動で続きます。確度は0〜1で入力し(0.3は30%と表示)、予測の重みになります。放置日数を超えてステージにとどまる商談は停滞とみなします。行は下端で追加し、"
    "選択して削除します。",
    "Stage": "ステージ",
    "Position": "位置",
    "Probability": "確度",
    "Rotting days": "放置日数",
    "{n} problem; nothing is saved until it is fixed.": "{n} 件の問題があります。直すまで"
    "保存されません。",
    "{n} problems; nothing is saved until they are fixed.": "{n} 件の問題があります。直すまで"
    "保存されません。",
    "Save the pipelines": "パイプラインを保存",
    "Saved {n} stage; every page now uses it.": "{n} 件のステージを保存しました。"
    "すべてのページがこの定義を使います。",
    "Saved {n} stages; every page now uses them.": "{n} 件のステージを保存しました。"
    "すべてのページがこの定義を使います。",
    # Sample data
    "The bundled sample data: deals with their stage history, activities, leads, "
    "organizations, contacts, targets and exchange rates. Use it to try the dashboard, or to "
    "start again after an import that went wrong.": "同梱のサンプルデータ: 商談とそのステージ"
    "履歴、活動、リード、取引先、取引先責任者、目標、為替レート。ダッシュボードを試すときや、"
    "取り込みに失敗してやり直すときに使います。",
    "Restoring replaces everything the database holds now, imports and edits included.": "復元すると、取り込みや編集を含め、現在データベースにあるものがすべて置き換わります。",
    "Replace everything with the sample data": "すべてをサンプルデータで置き換える",
    "Restore the sample data": "サンプルデータを復元",
    "Loading the sample data…": "サンプルデータを読み込み中…",
    "The sample data is loaded; what the database held before is replaced.": "サンプルデータを"
    "読み込みました。以前の内容は置き換えられました。",
}
