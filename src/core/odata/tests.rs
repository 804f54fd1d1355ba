//! OData subset: parse/print round trips, precedence, errors with positions, query strings,
//! evaluation, and the `getConversations` builder (seed `002_…` verbatim).

use super::*;
use crate::core::json::Json;

fn parse(text: &str) -> Expr {
    Expr::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn prop(name: &str) -> Operand {
    Operand::Property(name.into())
}

fn num(n: f64) -> Operand {
    Operand::Literal(Literal::Number(n))
}

fn cmp(left: Operand, op: CmpOp, right: Operand) -> Expr {
    Expr::Compare { left, op, right }
}

fn filter_error(text: &str) -> (usize, &'static str) {
    match Expr::parse(text) {
        Err(ODataError::Filter { position, reason }) => (position, reason),
        other => panic!("{text}: expected a filter error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing and printing

#[test]
fn every_comparison_operator() {
    for (word, op) in [
        ("eq", CmpOp::Eq),
        ("ne", CmpOp::Ne),
        ("lt", CmpOp::Lt),
        ("le", CmpOp::Le),
        ("gt", CmpOp::Gt),
        ("ge", CmpOp::Ge),
    ] {
        let text = format!("statuscode {word} 3");
        assert_eq!(parse(&text), cmp(prop("statuscode"), op, num(3.0)));
        assert_eq!(parse(&text).to_string(), text);
        assert_eq!(CmpOp::from_keyword(word), Some(op));
        assert_eq!(op.as_str(), word);
    }
}

#[test]
fn literals_of_every_kind() {
    let cases: [(&str, Literal); 12] = [
        ("'text'", Literal::String("text".into())),
        ("'O''Brien'", Literal::String("O'Brien".into())),
        ("''", Literal::String(String::new())),
        ("''''", Literal::String("'".into())),
        ("'é ü 😀'", Literal::String("é ü 😀".into())),
        ("-12.5", Literal::Number(-12.5)),
        ("1000", Literal::Number(1000.0)),
        ("true", Literal::Bool(true)),
        ("false", Literal::Bool(false)),
        ("null", Literal::Null),
        (
            "2B330C52-6844-4d36-8e05-03c78c9681dc",
            Literal::Guid("2B330C52-6844-4d36-8e05-03c78c9681dc".into()),
        ),
        (
            "2024-05-01T10:00:00.5+02:00",
            Literal::DateTime("2024-05-01T10:00:00.5+02:00".into()),
        ),
    ];
    for (text, literal) in cases {
        let source = format!("x eq {text}");
        let expr = parse(&source);
        assert_eq!(
            expr,
            cmp(prop("x"), CmpOp::Eq, Operand::Literal(literal.clone())),
            "{text}"
        );
        assert_eq!(expr.to_string(), source, "{text}");
    }
    assert_eq!(parse("x eq 1e3"), parse("x eq 1000"));
    assert_eq!(parse("x eq 2.50E-1").to_string(), "x eq 0.25");
    assert_eq!(
        parse("d ge 2024-05-01"),
        Expr::compare("d", CmpOp::Ge, Literal::DateTime("2024-05-01".into()))
    );
    assert_eq!(
        Literal::DateTime("2024-05-01T10:00:00Z".into()).datetime_ms(),
        Some(1_714_557_600_000.0)
    );
    assert_eq!(Literal::Null.datetime_ms(), None);
}

#[test]
fn literal_and_property_on_either_side_and_paths() {
    assert_eq!(
        parse("3 lt statuscode"),
        cmp(num(3.0), CmpOp::Lt, prop("statuscode"))
    );
    assert_eq!(
        parse("a/b eq c_d"),
        cmp(prop("a/b"), CmpOp::Eq, prop("c_d"))
    );
    assert_eq!(
        parse("_msdyn_x_value eq null"),
        cmp(
            prop("_msdyn_x_value"),
            CmpOp::Eq,
            Operand::Literal(Literal::Null)
        )
    );
}

#[test]
fn and_binds_tighter_than_or() {
    let a = || cmp(prop("a"), CmpOp::Eq, num(1.0));
    let b = || cmp(prop("b"), CmpOp::Eq, num(2.0));
    let c = || cmp(prop("c"), CmpOp::Eq, num(3.0));
    assert_eq!(
        parse("a eq 1 or b eq 2 and c eq 3"),
        Expr::Or(vec![a(), Expr::And(vec![b(), c()])])
    );
    assert_eq!(
        parse("a eq 1 and b eq 2 or c eq 3"),
        Expr::Or(vec![Expr::And(vec![a(), b()]), c()])
    );
    assert_eq!(
        parse("(a eq 1 or b eq 2) and c eq 3"),
        Expr::And(vec![Expr::Or(vec![a(), b()]), c()])
    );
    assert_eq!(
        parse("a eq 1 and (b eq 2 or c eq 3)"),
        Expr::And(vec![a(), Expr::Or(vec![b(), c()])])
    );
    // Chains are n-ary, not nested.
    assert_eq!(
        parse("a eq 1 and b eq 2 and c eq 3"),
        Expr::And(vec![a(), b(), c()])
    );
    assert_eq!(
        parse("a eq 1 or b eq 2 or c eq 3"),
        Expr::Or(vec![a(), b(), c()])
    );
    // Redundant parentheses disappear; meaningful ones are kept.
    assert_eq!(parse("((a eq 1))"), a());
    assert_eq!(
        parse("(a eq 1 and b eq 2) and c eq 3"),
        Expr::And(vec![Expr::And(vec![a(), b()]), c()])
    );
    assert_eq!(
        parse("not a eq 1 and b eq 2"),
        Expr::And(vec![Expr::Not(Box::new(a())), b()])
    );
    assert_eq!(
        parse("not (a eq 1 or b eq 2)"),
        Expr::Not(Box::new(Expr::Or(vec![a(), b()])))
    );
}

#[test]
fn canonical_printing_and_round_trips() {
    let cases = [
        ("a eq 1", "a eq 1"),
        ("  a   eq\t1 ", "a eq 1"),
        ("((a eq 1))", "a eq 1"),
        ("a eq 1 or b eq 2 and c eq 3", "a eq 1 or b eq 2 and c eq 3"),
        (
            "(a eq 1 or b eq 2) and c eq 3",
            "(a eq 1 or b eq 2) and c eq 3",
        ),
        (
            "(a eq 1 and b eq 2) or c eq 3",
            "a eq 1 and b eq 2 or c eq 3",
        ),
        (
            "(a eq 1 and b eq 2) and c eq 3",
            "(a eq 1 and b eq 2) and c eq 3",
        ),
        (
            "a eq 1 or (b eq 2 or c eq 3)",
            "a eq 1 or (b eq 2 or c eq 3)",
        ),
        ("not a eq 1", "not (a eq 1)"),
        ("not not (a eq 1)", "not (not (a eq 1))"),
        (
            "name eq 'it''s' and (x ne null or y gt 2024-01-01T00:00:00Z)",
            "name eq 'it''s' and (x ne null or y gt 2024-01-01T00:00:00Z)",
        ),
        ("(a eq 1)or(b eq 2)", "a eq 1 or b eq 2"),
    ];
    for (input, printed) in cases {
        let expr = parse(input);
        assert_eq!(expr.to_string(), printed, "{input}");
        assert_eq!(parse(printed), expr, "{input}");
        assert_eq!(parse(&expr.to_string()).to_string(), printed, "{input}");
    }
}

#[test]
fn empty_and_single_item_nodes() {
    assert_eq!(Expr::And(vec![]).to_string(), "true eq true");
    assert_eq!(Expr::Or(vec![]).to_string(), "true eq false");
    let one = Expr::compare("a", CmpOp::Eq, Literal::Number(1.0));
    assert_eq!(Expr::all(vec![one.clone()]), one);
    assert_eq!(Expr::any(vec![one.clone()]), one);
    assert!(Expr::And(vec![]).matches(&Json::object::<&str>([])));
    assert!(!Expr::Or(vec![]).matches(&Json::object::<&str>([])));
}

#[test]
fn properties_are_listed() {
    let expr = parse("a eq 1 and (b eq c or not d/e eq null)");
    assert_eq!(expr.properties(), vec!["a", "b", "c", "d/e"]);
}

#[test]
fn errors_carry_positions() {
    let cases: [(&str, usize, &str); 17] = [
        ("", 0, "expected a property name or a literal"),
        ("   ", 3, "expected a property name or a literal"),
        (
            "a",
            1,
            "expected a comparison operator (eq, ne, lt, le, gt, ge)",
        ),
        ("a eq", 4, "expected a property name or a literal"),
        (
            "a equals 1",
            2,
            "expected a comparison operator (eq, ne, lt, le, gt, ge)",
        ),
        (
            "a EQ 1",
            2,
            "expected a comparison operator (eq, ne, lt, le, gt, ge)",
        ),
        ("a eq 'abc", 5, "unterminated string literal"),
        ("a eq 1 and", 10, "expected a property name or a literal"),
        (
            "a eq 1 b eq 2",
            7,
            "expected 'and', 'or' or the end of the expression",
        ),
        ("(a eq 1", 7, "expected ')'"),
        ("a eq 1)", 6, "unexpected ')'"),
        ("a eq 1 and ()", 12, "expected a property name or a literal"),
        (
            "a eq 01",
            5,
            "not a property name, number, GUID, date or keyword",
        ),
        (
            "a eq 2024-13-01",
            5,
            "not a property name, number, GUID, date or keyword",
        ),
        ("a eq 1 & b eq 2", 7, "unexpected character"),
        ("a eq \"x\"", 5, "unexpected character"),
        ("and eq 1", 0, "expected a property name or a literal"),
    ];
    for (text, position, reason) in cases {
        assert_eq!(filter_error(text), (position, reason), "{text}");
    }
    let err = Expr::parse("a eq").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid $filter at position 4: expected a property name or a literal"
    );
}

#[test]
fn nesting_is_bounded() {
    let ok = format!(
        "{}a eq 1{}",
        "(".repeat(MAX_FILTER_DEPTH),
        ")".repeat(MAX_FILTER_DEPTH)
    );
    assert!(Expr::parse(&ok).is_ok());
    let deep = format!(
        "{}a eq 1{}",
        "(".repeat(MAX_FILTER_DEPTH + 1),
        ")".repeat(MAX_FILTER_DEPTH + 1)
    );
    assert_eq!(filter_error(&deep), (MAX_FILTER_DEPTH, "nested too deeply"));
    let nots = format!("{}a eq 1", "not ".repeat(100_000));
    assert_eq!(filter_error(&nots).1, "nested too deeply");
    let parens = "(".repeat(1_000_000);
    assert_eq!(filter_error(&parens).1, "nested too deeply");
    // A long flat chain is fine: it is one n-ary node.
    let chain = vec!["a eq 1"; 20_000].join(" and ");
    match parse(&chain) {
        Expr::And(items) => assert_eq!(items.len(), 20_000),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_input_never_panics() {
    let pieces = [
        "a",
        "eq",
        "'",
        "''",
        "(",
        ")",
        " ",
        "not",
        "and",
        "or",
        "1",
        "-",
        "é",
        "2024-05-01",
        "T10:00",
        "null",
        "\u{0}",
        "/",
        "1e999",
        "+",
        ".",
    ];
    // Every sequence of up to three pieces.
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b}{c}");
                if let Ok(expr) = Expr::parse(&text) {
                    assert_eq!(parse(&expr.to_string()), expr, "{text}");
                }
                let _ = Expr::parse(&format!("{a} {b} {c}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// $select, $orderby, $top and query strings

#[test]
fn select_orderby_top() {
    assert_eq!(
        parse_select(" a , b_c ,d/e").unwrap(),
        vec!["a".to_string(), "b_c".into(), "d/e".into()]
    );
    assert!(matches!(
        parse_select("a,,b"),
        Err(ODataError::Option {
            option: "$select",
            ..
        })
    ));
    assert_eq!(
        parse_select("a,1b").unwrap_err().to_string(),
        "invalid $select: '1b' is not a property name"
    );
    assert_eq!(
        parse_order_by("createdon desc, statuscode,  name asc").unwrap(),
        vec![
            OrderBy {
                property: "createdon".into(),
                descending: true
            },
            OrderBy {
                property: "statuscode".into(),
                descending: false
            },
            OrderBy {
                property: "name".into(),
                descending: false
            },
        ]
    );
    for bad in ["", "a sideways", "a desc x", "a,", "'a'"] {
        assert!(
            matches!(
                parse_order_by(bad),
                Err(ODataError::Option {
                    option: "$orderby",
                    ..
                })
            ),
            "{bad}"
        );
    }
    assert_eq!(parse_top("25"), Ok(25));
    assert_eq!(parse_top(" 0 "), Ok(0));
    for bad in ["", "-1", "1.5", "ten", "99999999999999999999999"] {
        assert!(parse_top(bad).is_err(), "{bad}");
    }
}

#[test]
fn query_string_round_trip() {
    let query = Query {
        select: vec!["a".into(), "b".into()],
        filter: Some(parse(
            "name eq 'R&D = 100% + more' and t le 2024-05-01T10:00:00+02:00",
        )),
        order_by: vec![OrderBy {
            property: "t".into(),
            descending: true,
        }],
        top: Some(5),
    };
    let encoded = query.to_query_string();
    assert_eq!(
        encoded,
        "$select=a,b&$filter=name%20eq%20'R%26D%20%3D%20100%25%20%2B%20more'%20and%20t%20le%20\
         2024-05-01T10:00:00%2B02:00&$orderby=t%20desc&$top=5"
    );
    assert_eq!(Query::parse(&encoded), Ok(query.clone()));
    assert_eq!(Query::parse(&format!("?{encoded}")), Ok(query.clone()));
    assert_eq!(
        query.to_string(),
        "$select=a,b&$filter=name eq 'R&D = 100% + more' and t le 2024-05-01T10:00:00+02:00\
         &$orderby=t desc&$top=5"
    );
    assert_eq!(Query::default().to_query_string(), "");
    assert_eq!(Query::default().to_string(), "");
}

#[test]
fn query_string_parsing_rules() {
    // '+' is a space (URLSearchParams), option names in any case, other parameters ignored.
    let query = Query::parse("api-version=1&%24FILTER=statuscode+eq+3&$Top=2&&x").unwrap();
    assert_eq!(query.filter, Some(parse("statuscode eq 3")));
    assert_eq!(query.top, Some(2));
    assert!(query.select.is_empty());
    assert_eq!(
        Query::parse("$expand=x"),
        Err(ODataError::Unsupported("$expand".into()))
    );
    assert_eq!(
        Query::parse("$skip=1").unwrap_err().to_string(),
        "the query option $skip is not supported"
    );
    assert_eq!(
        Query::parse("$top=1&$top=2"),
        Err(ODataError::Option {
            option: "$top",
            reason: "is given more than once".into()
        })
    );
    assert!(matches!(
        Query::parse("$filter=a%2"),
        Err(ODataError::Option {
            option: "$filter",
            ..
        })
    ));
    assert!(Query::parse("$filter=a%FF%FE").is_err());
    assert_eq!(
        Query::parse("$filter=a%20eq"),
        Err(ODataError::Filter {
            position: 4,
            reason: "expected a property name or a literal"
        })
    );
    assert_eq!(Query::parse(""), Ok(Query::default()));
}

// ---------------------------------------------------------------------------------------------
// Evaluation

fn record(text: &str) -> Json {
    Json::parse(text).unwrap()
}

#[test]
fn evaluation_rules() {
    let r = record(
        r#"{"n":3,"s":"abc","b":true,"z":null,"id":"2B330C52-6844-4D36-8E05-03C78C9681DC",
            "t":"2024-05-01T10:00:00Z","o":{"k":"v"},"arr":[1]}"#,
    );
    let yes = [
        "n eq 3",
        "n ne 4",
        "n gt 2.5 and n lt 3.5 and n ge 3 and n le 3",
        "s eq 'abc' and s lt 'abd' and s gt 'ABC'",
        "b eq true and b gt false",
        "z eq null and missing eq null and n ne null",
        "id eq 2b330c52-6844-4d36-8e05-03c78c9681dc",
        "t eq 2024-05-01T12:00:00+02:00 and t gt 2024-05-01 and t le 2024-05-01T10:00:00Z",
        "o/k eq 'v' and o/missing eq null",
        "not (n eq 4) and (n eq 4 or s eq 'abc')",
        "n eq n and 1 lt 2",
        "s ne 3",
        "z ne 3",
    ];
    for text in yes {
        assert!(parse(text).matches(&r), "{text}");
    }
    let no = [
        "n eq 4",
        "n lt null",
        "z lt 1",
        "s eq 'ABC'",
        "s eq 3",
        "s gt 3",
        "n eq '3'",
        "b eq 1",
        "s lt 2024-01-01",
        "arr eq null",
        "o eq null",
        "id eq 2b330c52-6844-4d36-8e05-03c78c9681dd",
        "missing ne null",
        "n eq 1 or s eq 'x'",
    ];
    for text in no {
        assert!(!parse(text).matches(&r), "{text}");
    }
}

#[test]
fn apply_filters_sorts_limits_and_projects() {
    let records: Vec<Json> = [
        r#"{"id":"a","statuscode":3,"createdon":"2024-05-03T00:00:00Z","x":1}"#,
        r#"{"id":"b","statuscode":2,"createdon":"2024-05-01T00:00:00Z","x":2}"#,
        r#"{"id":"c","statuscode":3,"createdon":"2024-05-02T00:00:00Z","x":3}"#,
        r#"{"id":"d","statuscode":3,"x":4}"#,
    ]
    .iter()
    .map(|t| record(t))
    .collect();
    let query =
        Query::parse("$select=id,createdon&$filter=statuscode eq 3&$orderby=createdon desc")
            .unwrap();
    let out = query.apply(records.clone());
    assert_eq!(
        Json::Array(out).to_string(),
        r#"[{"id":"a","createdon":"2024-05-03T00:00:00Z"},{"id":"c","createdon":"2024-05-02T00:00:00Z"},{"id":"d","createdon":null}]"#
    );
    let ascending = Query::parse("$select=id&$orderby=createdon,id desc&$top=2").unwrap();
    assert_eq!(
        Json::Array(ascending.apply(records.clone())).to_string(),
        r#"[{"id":"d"},{"id":"b"}]"#
    );
    let all = Query::default().apply(records.clone());
    assert_eq!(all, records);
}

// ---------------------------------------------------------------------------------------------
// getConversations

/// 2024-05-10T00:00:00Z.
const NOW: f64 = 1_715_299_200_000.0;

/// The input of seed `002_915e637a2a4c553f.txt`, character for character.
const SEED_002_INPUT: &str = r#"{ 
    "attributes": [
        "msdyn_title",
        "msdyn_channel"
        ],
    "agentId": "2b330c52-6844-4d36-8e05-03c78c9681dc",
    "status": [3], 
    "orderBy": [
        { 
            "attributeName": "createdon",
            "descending": true
        }
    ]
}"#;

#[test]
fn seed_002_get_conversations_query() {
    let input = Json::parse(SEED_002_INPUT).unwrap();
    let query = conversations_query(&input, NOW).unwrap();
    assert_eq!(
        query.to_string(),
        "$select=msdyn_ocliveworkitemid,msdyn_liveworkstreamid,msdyn_lastsessionid,statuscode,\
         createdon,msdyn_title,msdyn_channel\
         &$filter=msdyn_activeagentid eq 2b330c52-6844-4d36-8e05-03c78c9681dc and statuscode eq 3\
         &$orderby=createdon desc"
    );
    assert_eq!(
        query.to_query_string(),
        "$select=msdyn_ocliveworkitemid,msdyn_liveworkstreamid,msdyn_lastsessionid,statuscode,\
         createdon,msdyn_title,msdyn_channel\
         &$filter=msdyn_activeagentid%20eq%202b330c52-6844-4d36-8e05-03c78c9681dc%20and%20statuscode%20eq%203\
         &$orderby=createdon%20desc"
    );
    // What the server parses is what was built.
    assert_eq!(Query::parse(&query.to_query_string()), Ok(query.clone()));
    // The same input as a JSON string (the documented parameter type).
    assert_eq!(
        conversations_query(&Json::str(SEED_002_INPUT), NOW),
        Ok(query.clone())
    );

    // Run against records: only the agent's waiting conversations, newest first, with the
    // default attributes and the requested ones.
    let records: Vec<Json> = [
        r#"{"msdyn_ocliveworkitemid":"c1","msdyn_activeagentid":"2B330C52-6844-4D36-8E05-03C78C9681DC","statuscode":3,"createdon":"2024-05-01T00:00:00Z","msdyn_title":"old","msdyn_channel":192360000,"msdyn_liveworkstreamid":"w","msdyn_lastsessionid":"s1","subject":"x"}"#,
        r#"{"msdyn_ocliveworkitemid":"c2","msdyn_activeagentid":"2b330c52-6844-4d36-8e05-03c78c9681dc","statuscode":3,"createdon":"2024-05-02T00:00:00Z","msdyn_title":"new"}"#,
        r#"{"msdyn_ocliveworkitemid":"c3","msdyn_activeagentid":"2b330c52-6844-4d36-8e05-03c78c9681dc","statuscode":2,"createdon":"2024-05-03T00:00:00Z"}"#,
        r#"{"msdyn_ocliveworkitemid":"c4","msdyn_activeagentid":"someone-else","statuscode":3,"createdon":"2024-05-04T00:00:00Z"}"#,
    ]
    .iter()
    .map(|t| record(t))
    .collect();
    let out = query.apply(records);
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0].to_string(),
        r#"{"msdyn_ocliveworkitemid":"c2","msdyn_liveworkstreamid":null,"msdyn_lastsessionid":null,"statuscode":3,"createdon":"2024-05-02T00:00:00Z","msdyn_title":"new","msdyn_channel":null}"#
    );
    assert_eq!(
        out[1].get("msdyn_ocliveworkitemid").and_then(Json::as_str),
        Some("c1")
    );
    assert_eq!(out[1].get("subject"), None);
}

#[test]
fn conversations_minimal_and_full_inputs() {
    let minimal = conversations_query(&record(r#"{"agentId":"ada"}"#), NOW).unwrap();
    assert_eq!(
        minimal.to_string(),
        "$select=msdyn_ocliveworkitemid,msdyn_liveworkstreamid,msdyn_lastsessionid,statuscode,\
         createdon&$filter=msdyn_activeagentid eq 'ada'"
    );
    let full = conversations_query(
        &record(
            r#"{"agentID":" o'neil ","status":["3", 4, "5,3"],"createdBeforeDays":2,
                "attributes":["StatusCode","CreatedOn","Subject"," msdyn_title "],
                "orderBy":[{"attributeName":"CreatedOn","descending":"true"},
                           {"attributeName":"subject"},{"attributeName":"createdon","descending":false}]}"#,
        ),
        NOW,
    )
    .unwrap();
    assert_eq!(
        full.to_string(),
        "$select=msdyn_ocliveworkitemid,msdyn_liveworkstreamid,msdyn_lastsessionid,statuscode,\
         createdon,subject,msdyn_title\
         &$filter=msdyn_activeagentid eq 'o''neil' and (statuscode eq 3 or statuscode eq 4 or \
         statuscode eq 5) and createdon le 2024-05-08T00:00:00Z\
         &$orderby=createdon desc,subject"
    );
    // Fractional days and a single status number / a status string.
    let q = conversations_query(
        &record(r#"{"agentId":"a","status":2,"createdBeforeDays":0.5}"#),
        NOW + 1.0,
    )
    .unwrap();
    assert_eq!(
        q.filter.unwrap().to_string(),
        "msdyn_activeagentid eq 'a' and statuscode eq 2 and createdon le 2024-05-09T12:00:00.001Z"
    );
    let q = conversations_query(
        &record(r#"{"agentId":"a","status":"1, 2","status2":[]}"#),
        NOW,
    )
    .unwrap();
    assert_eq!(
        q.filter.unwrap().to_string(),
        "msdyn_activeagentid eq 'a' and (statuscode eq 1 or statuscode eq 2)"
    );
    let q = conversations_query(
        &record(r#"{"agentId":"a","status":[],"orderBy":{"attributeName":"x"}}"#),
        NOW,
    )
    .unwrap();
    assert_eq!(
        q.to_string(),
        "$select=msdyn_ocliveworkitemid,msdyn_liveworkstreamid,msdyn_lastsessionid,statuscode,\
         createdon&$filter=msdyn_activeagentid eq 'a'&$orderby=x"
    );
}

#[test]
fn conversations_include_queue() {
    // Hotline: the agent's conversations and the ones no agent has yet.
    let q = conversations_query(
        &record(r#"{"agentId":"ada","status":[1,3],"includeQueue":true}"#),
        NOW,
    )
    .unwrap();
    assert_eq!(
        q.filter.clone().unwrap().to_string(),
        "(msdyn_activeagentid eq 'ada' or msdyn_activeagentid eq null) and \
         (statuscode eq 1 or statuscode eq 3)"
    );
    assert_eq!(Query::parse(&q.to_query_string()), Ok(q.clone()));
    let records: Vec<Json> = [
        r#"{"msdyn_ocliveworkitemid":"mine","msdyn_activeagentid":"ada","statuscode":3}"#,
        r#"{"msdyn_ocliveworkitemid":"queued","msdyn_activeagentid":null,"statuscode":1}"#,
        r#"{"msdyn_ocliveworkitemid":"other","msdyn_activeagentid":"bob","statuscode":1}"#,
        r#"{"msdyn_ocliveworkitemid":"gone","msdyn_activeagentid":null,"statuscode":4}"#,
    ]
    .iter()
    .map(|t| record(t))
    .collect();
    let ids: Vec<String> = q
        .apply(records)
        .iter()
        .filter_map(|r| r.get("msdyn_ocliveworkitemid")?.as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, ["mine", "queued"]);
    // false (or absent) is the plain query.
    assert_eq!(
        conversations_query(&record(r#"{"agentId":"ada","includeQueue":false}"#), NOW),
        conversations_query(&record(r#"{"agentId":"ada"}"#), NOW)
    );
    assert!(matches!(
        conversations_query(&record(r#"{"agentId":"ada","includeQueue":"yes"}"#), NOW),
        Err(ConversationsError::Invalid {
            parameter: "includeQueue",
            ..
        })
    ));
}

#[test]
fn conversations_errors() {
    let err = |text: &str| conversations_query(&record(text), NOW).unwrap_err();
    assert_eq!(err("{}"), ConversationsError::MissingAgentId);
    assert_eq!(
        err(r#"{"agentId":null}"#),
        ConversationsError::MissingAgentId
    );
    assert_eq!(
        err(r#"{"agentId":"  "}"#),
        ConversationsError::MissingAgentId
    );
    assert_eq!(
        err("{}").to_string(),
        "The agentId parameter is required: pass the id of the agent whose conversations to fetch"
    );
    assert_eq!(
        conversations_query(&Json::Null, NOW),
        Err(ConversationsError::NullInput)
    );
    assert!(matches!(
        conversations_query(&Json::str("{agentId: 'x'}"), NOW),
        Err(ConversationsError::InvalidJson(_))
    ));
    let invalid = |text: &str| match err(text) {
        ConversationsError::Invalid { parameter, .. } => parameter,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(invalid("[1]"), "input");
    assert_eq!(invalid(r#"{"agentId":7}"#), "agentId");
    assert_eq!(invalid(r#"{"agentId":"a","status":["waiting"]}"#), "status");
    assert_eq!(invalid(r#"{"agentId":"a","status":[3.5]}"#), "status");
    assert_eq!(invalid(r#"{"agentId":"a","status":[true]}"#), "status");
    assert_eq!(
        invalid(r#"{"agentId":"a","createdBeforeDays":-1}"#),
        "createdBeforeDays"
    );
    assert_eq!(
        invalid(r#"{"agentId":"a","createdBeforeDays":"soon"}"#),
        "createdBeforeDays"
    );
    assert_eq!(
        invalid(r#"{"agentId":"a","attributes":["a b"]}"#),
        "attributes"
    );
    assert_eq!(invalid(r#"{"agentId":"a","attributes":[1]}"#), "attributes");
    assert_eq!(invalid(r#"{"agentId":"a","orderBy":[{}]}"#), "orderBy");
    assert_eq!(
        invalid(r#"{"agentId":"a","orderBy":["createdon"]}"#),
        "orderBy"
    );
    assert_eq!(invalid(r#"{"agentId":"a","orderBy":7}"#), "orderBy");
    assert_eq!(
        invalid(r#"{"agentId":"a","orderBy":[{"attributeName":"x","descending":1}]}"#),
        "orderBy"
    );
    assert_eq!(
        err(r#"{"agentId":"a","status":["waiting"]}"#).to_string(),
        "The status parameter is not valid: \"waiting\" is not a status code (a whole number such as 3)"
    );
}
