//! The HTML tokenizer the streaming extractor reads pages with: the states of the HTML
//! standard's tokenizer that a page's text, tags, comments and raw-text elements go through,
//! driven by `memchr` so that text is skipped a block at a time.
//!
//! Why it is written here and not taken from a crate: the crawl reads every page once, and the
//! benchmark's target (README, "Performance") needs more than the fastest tokenizer crate
//! measured on the generated store's pages gives. lol_html with handlers that do nothing ran at
//! 106-114 MiB/s, html5gum at 49-54, html5ever's tokenizer alone at 49; this one runs several
//! times faster because it only finds where tokens are: `Tag::read` reads attributes in place,
//! and text keeps its character references for the extractor to decode.
//!
//! What it does not model it reports as [`Unsupported`], and the page goes to the full
//! extractor (html5ever), which reads anything: `<plaintext>`, MathML, CDATA sections, and in SVG the HTML elements that
//! break out of it, `foreignObject`, markup inside `desc`/`title`, and end tags that close
//! something outside the SVG. Only the tree builder's choice of text state is simulated
//! (which elements hold raw text, and SVG content where they do not); its other repairs are
//! the extractor's.

use std::ops::Range;

/// One token, borrowed from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A start tag: `source` runs from its `<` to its `>`, `name` is as written.
    Start {
        source: &'a str,
        name: &'a str,
        /// False for void elements and self-closing SVG elements: no end tag will close it.
        can_have_content: bool,
    },
    /// An end tag, its name as written.
    End { name: &'a str },
    /// Text between tags; `character_references` when its `&…;` references are to be decoded
    /// (not in raw text: scripts, styles...).
    Text {
        raw: &'a str,
        character_references: bool,
    },
}

/// Markup this tokenizer leaves to the full extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// The text state a start tag switches to until its end tag.
#[derive(Debug, Clone, Copy)]
enum RawText {
    /// `<title>`, `<textarea>`: references decoded.
    Escapable(&'static str),
    /// `<style>`, `<iframe>`, `<noscript>`...: read as written.
    Plain(&'static str),
    Script,
}

pub struct Tokenizer<'a> {
    html: &'a str,
    at: usize,
    raw_text: Option<RawText>,
    /// Elements open inside the outermost `<svg>` (it included), lowercased; empty outside SVG.
    svg: Vec<String>,
    /// Inside an SVG `<desc>` or `<title>`, whose content is HTML again.
    in_svg_integration_point: bool,
    /// Markup found after a run of text, returned on the next call.
    pending: Option<Markup<'a>>,
    failed: bool,
    /// The attributes of the last start tag read, as written: read once, with its end.
    attributes: Vec<(&'a str, &'a str)>,
}

impl<'a> Tokenizer<'a> {
    pub fn new(html: &'a str) -> Self {
        Tokenizer {
            html,
            at: 0,
            raw_text: None,
            svg: Vec::new(),
            in_svg_integration_point: false,
            pending: None,
            failed: false,
            attributes: Vec::new(),
        }
    }

    /// Whether reading stands in plain HTML between tokens: no markup found and held back, no
    /// raw text to read next, not inside SVG. A stretch of the document read from such a point
    /// gives the same tokens wherever it is.
    pub fn between_html_tokens(&self) -> bool {
        self.pending.is_none() && self.raw_text.is_none() && self.svg.is_empty() && !self.failed
    }

    /// Goes on reading at `offset`, past markup read before (the same bytes elsewhere), when
    /// reading stands between tokens in plain HTML (see [`Tokenizer::between_html_tokens`]).
    pub fn skip_to(&mut self, offset: usize) -> bool {
        let skips = self.between_html_tokens() && offset >= self.at && offset <= self.html.len();
        if skips {
            self.at = offset;
        }
        skips
    }

    /// The attributes (name, value, both as written) of the start tag last returned, in
    /// document order.
    pub fn attributes(&self) -> &[(&'a str, &'a str)] {
        &self.attributes
    }

    /// Where reading stands: past the last token returned, or where the markup left to the
    /// full extractor begins.
    pub fn offset(&self) -> usize {
        self.at
    }

    fn bytes(&self) -> &'a [u8] {
        self.html.as_bytes()
    }

    /// The next token from `self.at`, past comments and doctypes.
    fn read(&mut self) -> Result<Option<Token<'a>>, Unsupported> {
        let bytes = self.bytes();
        loop {
            if let Some(raw) = self.raw_text.take() {
                if let Some(text) = self.read_raw_text(raw) {
                    return Ok(Some(text));
                }
            }
            let markup = match self.pending.take() {
                Some(markup) => markup,
                None => {
                    let text_start = self.at;
                    let Some((lt, markup)) = self.next_markup(text_start)? else {
                        self.at = bytes.len();
                        return Ok((bytes.len() > text_start)
                            .then(|| self.text(text_start, bytes.len(), true)));
                    };
                    if lt > text_start {
                        self.at = lt;
                        self.pending = Some(markup);
                        return Ok(Some(self.text(text_start, lt, true)));
                    }
                    markup
                }
            };
            match markup {
                Markup::Start {
                    name,
                    source,
                    self_closing,
                } => {
                    let can_have_content = self.start_tag(name, self_closing)?;
                    self.at += source.len();
                    return Ok(Some(Token::Start {
                        source,
                        name,
                        can_have_content,
                    }));
                }
                Markup::End { name, end } => {
                    self.end_tag(name)?;
                    self.at = end;
                    return Ok(Some(Token::End { name }));
                }
                Markup::Skipped { end } => self.at = end,
                Markup::EndOfInput => {
                    self.at = bytes.len();
                    return Ok(None);
                }
            }
        }
    }

    /// The first `<` from `from` that starts markup, and the markup.
    fn next_markup(&mut self, from: usize) -> Result<Option<(usize, Markup<'a>)>, Unsupported> {
        let bytes = self.bytes();
        let mut search = from;
        while let Some(offset) = memchr::memchr(b'<', &bytes[search..]) {
            let lt = search + offset;
            if let Some(markup) = self.markup_at(lt)? {
                return Ok(Some((lt, markup)));
            }
            // A `<` that starts nothing is text.
            search = lt + 1;
        }
        Ok(None)
    }

    fn text(&self, from: usize, to: usize, character_references: bool) -> Token<'a> {
        Token::Text {
            raw: &self.html[from..to],
            character_references,
        }
    }

    /// What the `<` at `lt` starts, if anything.
    fn markup_at(&mut self, lt: usize) -> Result<Option<Markup<'a>>, Unsupported> {
        let bytes = self.bytes();
        let rest = &bytes[lt..];
        match rest.get(1) {
            Some(b) if b.is_ascii_alphabetic() => {
                self.attributes.clear();
                let html = self.html;
                let mut attribute = |name: Range<usize>, value: Range<usize>| {
                    self.attributes.push((&html[name], &html[value]));
                };
                let Some((name, end, self_closing)) = scan_tag(bytes, lt + 1, &mut attribute)
                else {
                    return Ok(Some(Markup::EndOfInput));
                };
                Ok(Some(Markup::Start {
                    name: &self.html[lt + 1..lt + 1 + name],
                    source: &self.html[lt..end],
                    self_closing,
                }))
            }
            Some(b'/') => match rest.get(2) {
                Some(b) if b.is_ascii_alphabetic() => {
                    let Some((name, end, _)) = scan_tag(bytes, lt + 2, &mut |_, _| {}) else {
                        return Ok(Some(Markup::EndOfInput));
                    };
                    Ok(Some(Markup::End {
                        name: &self.html[lt + 2..lt + 2 + name],
                        end,
                    }))
                }
                Some(b'>') => Ok(Some(Markup::Skipped { end: lt + 3 })),
                Some(_) => Ok(Some(Markup::Skipped {
                    end: after(bytes, lt + 2, b'>'),
                })),
                None => Ok(None),
            },
            Some(b'!') => {
                if rest.starts_with(b"<!--") {
                    return Ok(Some(Markup::Skipped {
                        end: comment_end(bytes, lt + 4),
                    }));
                }
                if rest.starts_with(b"<![CDATA[") && !self.svg.is_empty() {
                    return Err(Unsupported("a CDATA section in SVG"));
                }
                // A doctype or a bogus comment: both end at the first `>`.
                Ok(Some(Markup::Skipped {
                    end: after(bytes, lt + 2, b'>'),
                }))
            }
            Some(b'?') => Ok(Some(Markup::Skipped {
                end: after(bytes, lt + 2, b'>'),
            })),
            _ => Ok(None),
        }
    }

    /// The tree builder's part of a start tag: text state and SVG. Returns whether an end tag
    /// may close the element.
    fn start_tag(&mut self, name: &str, self_closing: bool) -> Result<bool, Unsupported> {
        if self.svg.is_empty() {
            return match HtmlStart::of(name) {
                HtmlStart::Math => Err(Unsupported("MathML")),
                HtmlStart::Svg => {
                    if !self_closing {
                        self.svg.push("svg".into());
                    }
                    Ok(!self_closing)
                }
                HtmlStart::Plaintext => Err(Unsupported("<plaintext>")),
                HtmlStart::RawText(raw) => {
                    self.raw_text = Some(raw);
                    Ok(true)
                }
                HtmlStart::Void => Ok(false),
                HtmlStart::Other => Ok(true),
            };
        }
        let is = |known: &str| name.eq_ignore_ascii_case(known);
        if is("math") {
            return Err(Unsupported("MathML"));
        }
        if self.in_svg_integration_point {
            return Err(Unsupported("markup inside an SVG desc or title"));
        }
        if breaks_out_of_foreign_content(name) || is("foreignobject") {
            return Err(Unsupported("HTML inside SVG"));
        }
        if !self_closing {
            self.svg.push(name.to_ascii_lowercase());
            self.in_svg_integration_point = is("desc") || is("title");
        }
        Ok(!self_closing)
    }

    fn end_tag(&mut self, name: &str) -> Result<(), Unsupported> {
        if self.svg.is_empty() {
            return Ok(());
        }
        match self
            .svg
            .iter()
            .rposition(|open| open.eq_ignore_ascii_case(name))
        {
            Some(at) => {
                self.svg.truncate(at);
                self.in_svg_integration_point = false;
                Ok(())
            }
            None => Err(Unsupported(
                "an end tag in SVG closing something outside it",
            )),
        }
    }

    /// The text of a raw-text element up to its end tag (left for the next call), or to the
    /// end of the document.
    fn read_raw_text(&mut self, raw: RawText) -> Option<Token<'a>> {
        let (name, character_references) = match raw {
            RawText::Escapable(name) => (name, true),
            RawText::Plain(name) => (name, false),
            RawText::Script => ("script", false),
        };
        let bytes = self.bytes();
        let from = self.at;
        let end = match raw {
            RawText::Script => script_end(bytes, from),
            _ => end_tag_of(bytes, from, name.as_bytes()),
        };
        let to = end.unwrap_or(bytes.len());
        self.at = to;
        (to > from).then(|| self.text(from, to, character_references))
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<Token<'a>, Unsupported>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let read = self.read();
        self.failed = read.is_err();
        read.transpose()
    }
}

enum Markup<'a> {
    Start {
        name: &'a str,
        /// From `<` to `>`.
        source: &'a str,
        self_closing: bool,
    },
    End {
        name: &'a str,
        end: usize,
    },
    /// A comment, doctype or ignored tag, ending before `end`.
    Skipped {
        end: usize,
    },
    /// The document ends inside a tag, which is dropped.
    EndOfInput,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Reads the tag whose name starts at `name_start` through the tokenizer's attribute states,
/// giving each attribute's name and value to `attribute`: (length of its name, the index past
/// its `>`, self-closing). `None` when the document ends inside it.
fn scan_tag(
    bytes: &[u8],
    name_start: usize,
    attribute: &mut impl FnMut(Range<usize>, Range<usize>),
) -> Option<(usize, usize, bool)> {
    let name_end = tag_name_end(bytes, name_start);
    let mut i = name_end;
    loop {
        match attribute_step(bytes, i) {
            AttributeStep::Attribute { name, value, next } => {
                attribute(name, value);
                i = next;
            }
            AttributeStep::End {
                after,
                self_closing,
            } => return Some((name_end - name_start, after, self_closing)),
            AttributeStep::EndOfInput => return None,
        }
    }
}

/// Where a tag name starting at `from` ends: at a space, `/` or `>`.
fn tag_name_end(bytes: &[u8], from: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|&b| is_space(b) || matches!(b, b'/' | b'>'))
        .map_or(bytes.len(), |p| from + p)
}

/// One step of the tokenizer's attribute states inside a tag, from `at`.
enum AttributeStep {
    /// An attribute: its name and value (empty without `=`) as byte ranges, and where to go on.
    Attribute {
        name: Range<usize>,
        value: Range<usize>,
        next: usize,
    },
    /// The tag's `>`: the index past it, and whether `/>` closed it.
    End { after: usize, self_closing: bool },
    /// The document ends inside the tag.
    EndOfInput,
}

fn attribute_step(bytes: &[u8], mut at: usize) -> AttributeStep {
    let skip_spaces = |mut i: usize| {
        while bytes.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        i
    };
    loop {
        at = skip_spaces(at);
        match bytes.get(at) {
            None => return AttributeStep::EndOfInput,
            Some(b'>') => {
                return AttributeStep::End {
                    after: at + 1,
                    self_closing: false,
                }
            }
            Some(b'/') if bytes.get(at + 1) == Some(&b'>') => {
                return AttributeStep::End {
                    after: at + 2,
                    self_closing: true,
                }
            }
            Some(b'/') => at += 1,
            Some(_) => break,
        }
    }
    // A name runs to a space, `/`, `>` or `=` (a leading `=` is part of it).
    let name_start = at;
    at += 1;
    while bytes
        .get(at)
        .is_some_and(|&b| !(is_space(b) || matches!(b, b'/' | b'>' | b'=')))
    {
        at += 1;
    }
    let name = name_start..at;
    at = skip_spaces(at);
    if bytes.get(at) != Some(&b'=') {
        return AttributeStep::Attribute {
            name,
            value: at..at,
            next: at,
        };
    }
    at = skip_spaces(at + 1);
    match bytes.get(at) {
        None => AttributeStep::EndOfInput,
        Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &bytes[at + 1..]) {
            Some(p) => AttributeStep::Attribute {
                name,
                value: at + 1..at + 1 + p,
                next: at + 2 + p,
            },
            None => AttributeStep::EndOfInput,
        },
        Some(b'>') => AttributeStep::Attribute {
            name,
            value: at..at,
            next: at,
        },
        Some(_) => {
            let from = at;
            while bytes.get(at).is_some_and(|&b| !(is_space(b) || b == b'>')) {
                at += 1;
            }
            AttributeStep::Attribute {
                name,
                value: from..at,
                next: at,
            }
        }
    }
}

/// The index past the first `b` from `from`, or the end of the document.
fn after(bytes: &[u8], from: usize, b: u8) -> usize {
    memchr::memchr(b, &bytes[from.min(bytes.len())..]).map_or(bytes.len(), |p| from + p + 1)
}

/// The index past a comment whose `<!--` ends before `from`: `-->` or `--!>`, and the empty
/// comments `<!-->` and `<!--->`.
fn comment_end(bytes: &[u8], from: usize) -> usize {
    let rest = &bytes[from.min(bytes.len())..];
    if rest.starts_with(b">") {
        return from + 1;
    }
    if rest.starts_with(b"->") {
        return from + 2;
    }
    for dashes in memchr::memmem::find_iter(rest, b"--") {
        let after_dashes = &rest[dashes + 2..];
        if after_dashes.starts_with(b">") {
            return from + dashes + 3;
        }
        if after_dashes.starts_with(b"!>") {
            return from + dashes + 4;
        }
    }
    bytes.len()
}

/// Where the end tag of raw-text element `name` (lowercase) starts: `</name` followed by a
/// space, `/` or `>`, in any case.
fn end_tag_of(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(&bytes[from..], b"</")
        .map(|p| from + p)
        .find(|&at| names_tag_at(bytes, at + 2, name))
}

/// Whether the tag name at `at` is `name` (lowercase, any case in the document), ended as the
/// tokenizer ends a name in raw text: by a space, `/` or `>`.
fn names_tag_at(bytes: &[u8], at: usize, name: &[u8]) -> bool {
    bytes
        .get(at..at + name.len())
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
        && bytes
            .get(at + name.len())
            .is_some_and(|&b| is_space(b) || matches!(b, b'/' | b'>'))
}

/// Where a script's end tag starts, through the script data states: after `<!--` the end
/// tag still ends it, unless a `<script` came after the `<!--` and no `</script` or `-->` since.
fn script_end(bytes: &[u8], from: usize) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let tag_at = |at: usize, closing: bool| {
        let name_at = at + 1 + usize::from(closing);
        (!closing || bytes.get(at + 1) == Some(&b'/')) && names_tag_at(bytes, name_at, b"script")
    };
    let mut state = State::Data;
    let mut i = from;
    while i < bytes.len() {
        let p = if state == State::Data {
            i + memchr::memchr(b'<', &bytes[i..])?
        } else {
            i + memchr::memchr2(b'<', b'-', &bytes[i..])?
        };
        i = p + 1;
        if bytes[p] == b'-' {
            if bytes[p..].starts_with(b"-->") {
                state = State::Data;
                i = p + 3;
            }
            continue;
        }
        match state {
            State::Data if bytes[p..].starts_with(b"<!--") => {
                // The dashes also count towards the `-->` that ends the escape.
                state = State::Escaped;
                i = p + 2;
            }
            State::Data | State::Escaped if tag_at(p, true) => return Some(p),
            State::Escaped if tag_at(p, false) => {
                state = State::DoubleEscaped;
                i = p + 7;
            }
            State::DoubleEscaped if tag_at(p, true) => {
                state = State::Escaped;
                i = p + 8;
            }
            _ => {}
        }
    }
    None
}

/// What a start tag outside SVG is to the tokenizer, from its name (any case) in one look-up:
/// every start tag asks.
enum HtmlStart {
    Math,
    Svg,
    Plaintext,
    RawText(RawText),
    /// Elements with no content in HTML, whatever the markup says.
    Void,
    Other,
}

impl HtmlStart {
    fn of(name: &str) -> HtmlStart {
        let mut lower = [0u8; 9];
        let Some(lower) = lower.get_mut(..name.len()) else {
            return HtmlStart::Other;
        };
        for (to, from) in lower.iter_mut().zip(name.bytes()) {
            *to = from.to_ascii_lowercase();
        }
        match &*lower {
            b"math" => HtmlStart::Math,
            b"svg" => HtmlStart::Svg,
            b"plaintext" => HtmlStart::Plaintext,
            b"script" => HtmlStart::RawText(RawText::Script),
            b"title" => HtmlStart::RawText(RawText::Escapable("title")),
            b"textarea" => HtmlStart::RawText(RawText::Escapable("textarea")),
            b"style" => HtmlStart::RawText(RawText::Plain("style")),
            b"iframe" => HtmlStart::RawText(RawText::Plain("iframe")),
            b"xmp" => HtmlStart::RawText(RawText::Plain("xmp")),
            b"noembed" => HtmlStart::RawText(RawText::Plain("noembed")),
            b"noframes" => HtmlStart::RawText(RawText::Plain("noframes")),
            b"noscript" => HtmlStart::RawText(RawText::Plain("noscript")),
            b"area" | b"base" | b"basefont" | b"bgsound" | b"br" | b"col" | b"embed" | b"hr"
            | b"img" | b"input" | b"keygen" | b"link" | b"meta" | b"param" | b"source"
            | b"track" | b"wbr" => HtmlStart::Void,
            _ => HtmlStart::Other,
        }
    }
}

/// HTML start tags that end SVG content (the tree builder closes it and reads them as HTML).
/// `<font>` does so only with a `color`, `face` or `size` attribute; it is left to the full
/// extractor either way.
fn breaks_out_of_foreign_content(name: &str) -> bool {
    const BREAKOUT: [&str; 45] = [
        "b",
        "big",
        "blockquote",
        "body",
        "br",
        "center",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "hr",
        "i",
        "img",
        "li",
        "listing",
        "menu",
        "meta",
        "nobr",
        "ol",
        "p",
        "pre",
        "ruby",
        "s",
        "small",
        "span",
        "strong",
        "strike",
        "sub",
        "sup",
        "table",
        "tt",
        "u",
        "ul",
        "var",
        "font",
    ];
    name.len() <= 10 && BREAKOUT.iter().any(|b| name.eq_ignore_ascii_case(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `html` in a compact form: `<name`, `</name`, `<name/` (no content),
    /// `"text"` (references decoded later) and `'raw'`.
    fn tokens(html: &str) -> Result<Vec<String>, Unsupported> {
        Tokenizer::new(html)
            .map(|t| {
                t.map(|t| match t {
                    Token::Start {
                        name,
                        can_have_content: true,
                        ..
                    } => format!("<{name}"),
                    Token::Start { name, .. } => format!("<{name}/"),
                    Token::End { name } => format!("</{name}"),
                    Token::Text {
                        raw,
                        character_references: true,
                    } => format!("\"{raw}\""),
                    Token::Text { raw, .. } => format!("'{raw}'"),
                })
            })
            .collect()
    }

    #[test]
    fn tags_text_and_comments() {
        assert_eq!(
            tokens("<!DOCTYPE html><p class=x>a &amp; b<br/>c</p><!-- <p>no</p> -->d").unwrap(),
            ["<p", "\"a &amp; b\"", "<br/", "\"c\"", "</p", "\"d\""]
        );
        // A `<` that starts no markup is text; a comment splits text in two.
        assert_eq!(
            tokens("1 < 2 <3 a<!---->b <? pi ?>c</ x>d</>e<").unwrap(),
            ["\"1 < 2 <3 a\"", "\"b \"", "\"c\"", "\"d\"", "\"e<\""]
        );
        // Empty comments, `--!>`, and a comment left open to the end.
        assert_eq!(
            tokens("a<!-->b<!--->c<!-- x --!>d<!-- open <p>").unwrap(),
            ["\"a\"", "\"b\"", "\"c\"", "\"d\""]
        );
    }

    #[test]
    fn attributes_hide_angle_brackets_only_in_quotes() {
        let html = "<a title='x>y' href=\"/a\">1</a><b data=x/>2</b><a =x\"'>3<i/>";
        assert_eq!(
            tokens(html).unwrap(),
            ["<a", "\"1\"", "</a", "<b", "\"2\"", "</b", "<a", "\"3\"", "<i"]
        );
        let sources: Vec<&str> = Tokenizer::new(html)
            .filter_map(|t| match t.unwrap() {
                Token::Start { source, .. } => Some(source),
                _ => None,
            })
            .collect();
        assert_eq!(
            sources,
            [
                "<a title='x>y' href=\"/a\">",
                "<b data=x/>",
                "<a =x\"'>",
                "<i/>"
            ]
        );
        // Each start tag's attributes are read with it, as written, and left for the caller.
        let mut tokenizer = Tokenizer::new(html);
        let mut attributes = Vec::new();
        while let Some(token) = tokenizer.next() {
            if let Token::Start { .. } = token.unwrap() {
                attributes.push(tokenizer.attributes().to_vec());
            }
        }
        assert_eq!(
            attributes,
            [
                vec![("title", "x>y"), ("href", "/a")],
                vec![("data", "x/")],
                vec![("=x\"'", "")],
                vec![],
            ]
        );
        // A tag the document ends inside is dropped.
        assert_eq!(tokens("a<p title='b>").unwrap(), ["\"a\""]);
        assert_eq!(tokens("a</p").unwrap(), ["\"a\""]);
    }

    #[test]
    fn raw_text_elements_read_to_their_own_end_tag() {
        assert_eq!(
            tokens(
                "<script>if (a<b) x='</p>'</scripts></SCRIPT ><style>p>a{}</style>\
                 <title>T &amp; <b>C</b></title><textarea>&lt;</textarea/><noscript><p>n</noscript>"
            )
            .unwrap(),
            [
                "<script",
                "'if (a<b) x='</p>'</scripts>'",
                "</SCRIPT",
                "<style",
                "'p>a{}'",
                "</style",
                "<title",
                "\"T &amp; <b>C</b>\"",
                "</title",
                "<textarea",
                "\"&lt;\"",
                "</textarea",
                "<noscript",
                "'<p>n'",
                "</noscript",
            ]
        );
        assert_eq!(tokens("<script>open").unwrap(), ["<script", "'open'"]);
        // After `<!--`, a `<script` makes the next `</script>` part of the text, until `-->`.
        assert_eq!(
            tokens(
                "<script><!--<script>x</script>y--></script>\
                 <script><!-- a </script><p>\
                 <script><!--<script>--><p></script>\
                 <script><!--></script>"
            )
            .unwrap(),
            [
                "<script",
                "'<!--<script>x</script>y-->'",
                "</script",
                "<script",
                "'<!-- a '",
                "</script",
                "<p",
                "<script",
                "'<!--<script>--><p>'",
                "</script",
                "<script",
                "'<!-->'",
                "</script",
            ]
        );
        assert_eq!(tokens("<style></style>").unwrap(), ["<style", "</style"]);
    }

    #[test]
    fn svg_content_is_read_until_it_needs_the_tree_builder() {
        assert_eq!(
            tokens("<svg viewBox='0 0 1 1'><title>Cart</title><path d='M0'/><g><style>a</style></g></svg><br>")
                .unwrap(),
            [
                "<svg",
                "<title",
                "\"Cart\"",
                "</title",
                "<path/",
                "<g",
                "<style",
                "\"a\"",
                "</style",
                "</g",
                "</svg",
                "<br/",
            ]
        );
        for (html, why) in [
            ("<svg><p>x</p></svg>", "HTML inside SVG"),
            (
                "<svg><foreignObject><i>x</i></foreignObject></svg>",
                "HTML inside SVG",
            ),
            (
                "<svg><desc><b>x</b></desc></svg>",
                "markup inside an SVG desc or title",
            ),
            (
                "<div><svg><g></div>",
                "an end tag in SVG closing something outside it",
            ),
            ("<math><mi>x</mi></math>", "MathML"),
            ("<svg><![CDATA[x]]></svg>", "a CDATA section in SVG"),
            ("<plaintext><p>", "<plaintext>"),
        ] {
            assert_eq!(tokens(html), Err(Unsupported(why)), "{html}");
        }
    }
}
