"""Japanese for the importer's messages (problems found in a file) and those of the pipeline and
target editors, matched by pattern.

The analytics package writes its messages in English with the values that caused them inside
(stage names, column names, row numbers). Each entry is a pattern that matches one kind of
message whole, with named groups for those values, and the Japanese text they go back into.
`tests/pages/test_messages.py` feeds every broken file of the bad-input suite through the
importer, and tables with every kind of wrong row through the editors' checks, and checks that
each message they give finds its entry here.
"""

PATTERNS: tuple[tuple[str, str], ...] = (
    # --- the file as a whole
    (r"the file is empty", "ファイルが空です"),
    (r"the file is empty: it has no header row", "ファイルが空です (見出し行がありません)"),
    (r"the file has a header but no data rows", "見出し行はありますが、データ行がありません"),
    (
        r"the file is not text in a supported encoding \(UTF-8, UTF-16 or Shift_JIS/CP932\); "
        r"save it as CSV UTF-8 and try again",
        "対応している文字コード (UTF-8、UTF-16、Shift_JIS/CP932) のテキストではありません。"
        "CSV UTF-8 で保存し直してください",
    ),
    (
        r"the file cannot be read as Parquet: (?P<detail>.*)",
        "Parquet ファイルとして読み込めません: {detail}",
    ),
    (
        r"the file cannot be read as an Excel workbook: (?P<detail>.*)",
        "Excel ブックとして読み込めません: {detail}",
    ),
    (r"the workbook's first sheet is empty", "ブックの最初のシートが空です"),
    (
        r"the header names this column twice; rename one",
        "見出しに同じ列名が 2 回あります。どちらかの名前を変えてください",
    ),
    (
        r"the row has fewer fields than the header \(truncated row\?\)",
        "行の項目数が見出しより少なくなっています (行が途中で切れていませんか)",
    ),
    (r"the row has more fields than the header", "行の項目数が見出しより多くなっています"),
    (r"the row is longer than (?P<size>\d+) MB", "行が {size} MB を超えています"),
    (r"a quote character is misplaced", '引用符 (") の位置が正しくありません'),
    (
        r"required column for (?P<kind>\w+) is missing \(looked for headers such as "
        r"(?P<examples>.*)\); name it with --map (?P<column>\w+)=<column>",
        "{kind} に必要な列がありません ({examples} などの見出しを探しました)。"
        "--map {column}=<列名> で指定するか、上の列の対応で選んでください",
    ),
    (r"and (?P<n>\d+) more rows? with this problem", "ほかに {n} 行に同じ問題があります"),
    # --- cell values
    (r"this value is required but the cell is empty", "必須の値ですが、セルが空です"),
    (r"not a date or time this importer can read", "読み取れる日付・日時ではありません"),
    (
        r"ambiguous date: it reads as both day/month and month/day, and no value in the file "
        r"tells which; import again with --date-order dmy or --date-order mdy",
        "日付があいまいです: 日/月とも月/日とも読め、ファイル内にどちらかを決める値がありません。"
        "--date-order dmy か --date-order mdy を付けて取り込み直してください",
    ),
    (r"not a number", "数値ではありません"),
    (r"not a whole number", "整数ではありません"),
    (
        r"not an amount \(expected a number such as 12500, 12,500.00 or \$12,500\)",
        "金額ではありません (12500、12,500.00、$12,500 のような数値を入れてください)",
    ),
    (r"negative values are not allowed here", "この列に負の値は使えません"),
    (
        r"not a yes/no value \(expected true/false, 1/0, yes/no\)",
        "はい/いいえの値ではありません (true/false、1/0、yes/no のいずれか)",
    ),
    (
        r"not a currency code \(expected ISO 4217 such as USD, EUR, JPY, or \$ € £ ¥\)",
        "通貨コードではありません (USD、EUR、JPY などの ISO 4217、または $ € £ ¥)",
    ),
    (
        r"not a deal status \(expected open, won or lost\)",
        "商談の状態ではありません (open、won、lost のいずれか)",
    ),
    (
        r"not a lead status \(expected new, working, converted or disqualified, or the CRM's "
        r"wording of them such as \"Open - Not Contacted\" or \"Closed - Converted\"\)",
        "リードの状態ではありません (new、working、converted、disqualified、または "
        '"Open - Not Contacted"、"Closed - Converted" のような CRM の表記)',
    ),
    (
        r"not a target metric \(expected one of (?P<metrics>.*), "
        r"or activities_completed:<type>\)",
        "目標の指標ではありません ({metrics} のいずれか、または activities_completed:<種類>)",
    ),
    (
        r"not a target scope \(expected one of (?P<scopes>.*)\)",
        "目標の対象ではありません ({scopes} のいずれか)",
    ),
    (r"the period ends before it starts", "期間の終わりが始まりより前です"),
    (
        r"a team or owner target needs the team's or owner's name",
        "チームまたは担当者の目標には、チーム名か担当者名が必要です",
    ),
    (
        r"a probability is a share from 0 to 1, or a percentage from 0 to 100",
        "確率は 0〜1 の割合か、0〜100 の百分率で入れてください",
    ),
    (r"an exchange rate must be greater than 0", "為替レートは 0 より大きい値にしてください"),
    (
        r"the file gives this currency another rate on the same date",
        "同じ日付にこの通貨の別のレートがあります",
    ),
    # --- rows that contradict each other
    (
        r"duplicate ID with different content \(rows (?P<rows>[\d, ]+)\)",
        "内容の異なる重複 ID です (行 {rows})",
    ),
    (r"and (?P<n>\d+) more duplicated IDs?", "ほかに {n} 件の重複 ID があります"),
    (
        r"the same deal ID is in (?P<file>.+) \(row (?P<row>\d+)\) with different content; "
        r"import successive exports one at a time, or name them with their export dates "
        r"\(deals_2024-02-01\.csv\)",
        "同じ商談 ID が {file} ({row} 行目) に異なる内容で含まれています。続けて出力したファイル"
        "は一つずつ取り込むか、ファイル名に出力日を付けてください (deals_2024-02-01.csv)",
    ),
    (r"every deal needs a stage", "すべての商談にステージが必要です"),
    (r"every history row needs a stage", "履歴のすべての行にステージが必要です"),
    (
        r"the stage contradicts the deal's status \((?P<status>[^)]*)\)",
        "ステージが商談の状態 ({status}) と矛盾しています",
    ),
    (
        r"two stages of pipeline (?P<pipeline>\".*\") have the same position",
        "パイプライン {pipeline} の二つのステージが同じ順番になっています",
    ),
    (
        r"(?P<stage>\".*\") is not a stage of pipeline (?P<pipeline>\".*\") \(its stages: "
        r"(?P<stages>.*); (?P<n>\d+) rows?\)\. Declare the stages in order, e\.g\. "
        r"(?P<example>--pipeline .*), or on the Data page; or, if it is another name of one of "
        r"them, replace it: (?P<value>--value .*), or Replace values on the Data page",
        "{stage} はパイプライン {pipeline} のステージではありません (ステージ: {stages}、"
        "{n} 行)。ステージを順番どおりに定義してください。例: {example}。"
        "データページの「パイプライン」タブでも定義できます。既存のステージの別名なら置き換えて"
        "ください: {value}。データページの「値の置き換え」でもできます",
    ),
    (
        r"pipeline (?P<pipeline>\".*\") is not declared, so its stages are unknown "
        r"\((?P<n>\d+) rows?\)\. Declare the stages in order, e\.g\. (?P<example>--pipeline .*), "
        r"or on the Data page",
        "パイプライン {pipeline} が定義されていないため、ステージがわかりません ({n} 行)。"
        "ステージを順番どおりに定義してください。例: {example}。"
        "データページの「パイプライン」タブでも定義できます",
    ),
    (
        r"its columns are not those of a table the dashboard uses; to import it anyway, import "
        r"it by itself with --kind and one of (?P<kinds>.*)",
        "ダッシュボードが使う表の列ではありません。取り込む場合は、このファイルだけを --kind "
        "({kinds} のいずれか) を付けて取り込んでください",
    ),
    # --- the pipeline editor of the Data page: stages the data still uses, then wrong rows
    (
        r"pipeline (?P<pipeline>\".*\"): the stage (?P<stage>\".*\") cannot be removed or "
        r"renamed, (?P<deals>\d+) open (?:deal is|deals are) in it and (?P<events>\d+) history "
        r"(?:row names|rows name) it \(rename it in the CRM's export and import that instead\)",
        "パイプライン {pipeline} のステージ {stage} は削除も名前の変更もできません。"
        "進行中の商談が {deals} 件このステージにあり、このステージを指す履歴行が {events} 行"
        "あります (CRM のエクスポートで名前を変えて、それを取り込んでください)",
    ),
    (
        r"row (?P<row>\d+): a stage needs both a pipeline and a stage name",
        "{row} 行目: ステージにはパイプライン名とステージ名の両方が必要です",
    ),
    # A row naming its stage puts one of the four reasons below after it.
    (
        r"row (?P<row>\d+) \((?P<stage>\".*\") of (?P<pipeline>\".*\")\): (?P<reason>.*)",
        "{row} 行目 (パイプライン {pipeline} のステージ {stage}): {reason}",
    ),
    (
        r"Won and Lost are outcomes, not open stages; every pipeline has them",
        "受注 (Won) と失注 (Lost) は商談の結果で、進行中のステージではありません。"
        "どのパイプラインにも最初からあります",
    ),
    # The column names are those of the editor's columns (Position, Probability, Rotting days).
    (r"the position is a whole number from 1", "位置は 1 以上の整数で入れてください"),
    (r"the probability is a share from 0 to 1", "確度は 0〜1 の割合で入れてください"),
    (r"rotting days are a whole number from 0", "放置日数は 0 以上の整数で入れてください"),
    (
        r"pipeline (?P<pipeline>\".*\"): the stage (?P<stage>\".*\") is listed twice",
        "パイプライン {pipeline} にステージ {stage} が 2 回あります",
    ),
    (
        r"pipeline (?P<pipeline>\".*\"): (?P<first>\".*\") and (?P<second>\".*\") have the "
        r"same position (?P<position>\d+)",
        "パイプライン {pipeline} のステージ {first} と {second} の位置が同じ ({position}) です",
    ),
    # --- the target editor of the Goals page: what is wrong with one cell (its row and column
    # are columns of the problems table)
    (
        r"a target needs a scope \((?P<scopes>.*)\)",
        "目標には範囲が必要です ({scopes} のいずれか)",
    ),
    (r"a target needs a metric", "目標には指標が必要です"),
    (
        r"a target needs the first and last day of its period",
        "目標には期間の開始日と終了日が必要です",
    ),
    (r"a target needs a value", "目標には目標値が必要です"),
    (r"a target value must be a number of 0 or more", "目標値は 0 以上の数値にしてください"),
    (r"the same target id is in row (?P<row>\d+)", "同じ目標 ID が {row} 行目にもあります"),
    (
        r"the same target as row (?P<row>\d+) \(same scope, metric and period\)",
        "{row} 行目と同じ目標です (範囲・指標・期間が同じです)",
    ),
    # --- data-quality notes: rows imported (or skipped) and counted, not refused
    (r"rows have no value", "値のない行"),
    (
        r"activities have no type and were recorded as tasks",
        "種類のない活動 (タスクとして記録しました)",
    ),
    (
        r"activities have the custom type (?P<type>\".*\")",
        "独自の種類 {type} の活動",
    ),
    (
        r"closed deals close before they were created \(kept; left out of durations\)",
        "作成日より前にクローズした商談 (取り込み済み。期間の計算からは除外)",
    ),
    (r"closed deals have no close date", "クローズ日のないクローズ済み商談"),
    (r"deleted activities were skipped", "削除済みの活動 (取り込みませんでした)"),
    (r"deleted deals were skipped", "削除済みの商談 (取り込みませんでした)"),
    (r"deleted history rows were skipped", "削除済みの履歴行 (取り込みませんでした)"),
    (
        r"history rows belong to deals that are not loaded \(kept; they link up when the deals "
        r"are imported\)",
        "未読み込みの商談の履歴行 (取り込み済み。商談を取り込むと結び付きます)",
    ),
    (
        r"rows refer to (?P<target>[\w ]+) that are not loaded \(kept; they link up when those "
        r"are imported\)",
        "未読み込みの {target} を参照する行 (取り込み済み。取り込むと結び付きます)",
    ),
    (
        r"rows repeat another row exactly and were merged",
        "ほかの行とまったく同じ行 (一つにまとめました)",
    ),
    (
        r"rows repeat another row's currency, date and rate exactly and were merged",
        "通貨・日付・レートがほかの行と同じ行 (一つにまとめました)",
    ),
    (r"rows not imported: (?P<reason>.*)", "取り込まなかった行: {reason}"),
    # --- errors the pages show whole (layout.show_error): a refused write, a busy database
    (
        r"(?P<count>\d+) problems? found; nothing was written",
        "{count} 件の問題が見つかりました。何も書き込んでいません",
    ),
    (
        r"(?P<count>\d+) problems? found; nothing was imported",
        "{count} 件の問題が見つかりました。何も取り込んでいません",
    ),
    (
        r"(?P<count>\d+) problems? found; nothing was saved",
        "{count} 件の問題が見つかりました。何も保存していません",
    ),
    (
        r"(?P<count>\d+) problems? found; files imported before the refusal: (?P<done>.*)",
        "{count} 件の問題が見つかりました。中止する前に取り込んだファイル: {done}",
    ),
    (
        r"The database (?P<path>.+) is open in another program \(process (?P<pid>\d+)\), most "
        r"likely the running dashboard\. Stop the dashboard and run the command again, or give "
        r"another database with --db\.",
        "データベース {path} はほかのプログラム (プロセス {pid}、おそらく起動中のダッシュボード) が"
        "開いています。ダッシュボードを止めてからもう一度実行するか、--db で別のデータベースを"
        "指定してください。",
    ),
    (
        r"The database (?P<path>.+) is open in another program, most likely the running "
        r"dashboard\. Stop the dashboard and run the command again, or give another database "
        r"with --db\.",
        "データベース {path} はほかのプログラム (おそらく起動中のダッシュボード) が開いています。"
        "ダッシュボードを止めてからもう一度実行するか、--db で別のデータベースを指定してください。",
    ),
    (
        r"The database was written by a newer version of this program \(schema (?P<version>\d+), "
        r"this program knows (?P<known>\d+)\)\. Upgrade the program, or give another database "
        r"with --db\.",
        "このデータベースは新しいバージョンのプログラムが書いたものです (スキーマ {version}、"
        "このプログラムが扱えるのは {known} まで)。プログラムを更新するか、--db で別のデータベースを"
        "指定してください。",
    ),
    (
        r"(?P<target>'.*') is not a column of (?P<kind>\w+); its columns are (?P<columns>.*)",
        "{target} は {kind} の列ではありません。列は次のとおりです: {columns}",
    ),
    (
        r"the mapping names columns that no kind of record has",
        "対応付けに、どの種類のレコードにもない列が含まれています",
    ),
)
