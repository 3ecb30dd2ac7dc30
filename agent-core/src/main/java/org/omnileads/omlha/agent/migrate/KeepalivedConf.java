package org.omnileads.omlha.agent.migrate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * keepalived's configuration syntax, read into a tree of statements. A statement is the words of one line
 * ({@code priority 150}), optionally followed by a block in braces ({@code vrrp_instance VI_1 { ... }}). {@code #} and
 * {@code !} start a comment outside quotes; a double-quoted string is one word and ends on its line. Includes are
 * statements like any other: reading never opens another file.
 */
public final class KeepalivedConf {
    static final int MAX_DEPTH = 32;

    /** One line's words, with the block that follows them, if any. */
    public record Statement(int line, List<String> words, Optional<List<Statement>> block) {
        public Statement {
            words = List.copyOf(words);
            block = block.map(List::copyOf);
        }

        public String keyword() {
            return words.get(0);
        }

        public List<String> args() {
            return words.subList(1, words.size());
        }

        /** The arguments joined by single spaces: a script or notify command written with or without quotes. */
        public String rest() {
            return String.join(" ", args());
        }

        public List<Statement> children() {
            return block.orElse(List.of());
        }
    }

    enum Kind { WORD, OPEN, CLOSE, END_OF_LINE }

    record Token(Kind kind, String text, int line) {
    }

    private KeepalivedConf() {
    }

    /** The top-level statements of {@code text}. */
    public static List<Statement> parse(String text) throws KeepalivedSyntaxException {
        return build(tokenize(text));
    }

    static List<Token> tokenize(String text) throws KeepalivedSyntaxException {
        List<Token> tokens = new ArrayList<>();
        int line = 1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                tokens.add(new Token(Kind.END_OF_LINE, "\n", line));
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '!') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '{') {
                tokens.add(new Token(Kind.OPEN, "{", line));
                i++;
            } else if (c == '}') {
                tokens.add(new Token(Kind.CLOSE, "}", line));
                i++;
            } else if (c == '"') {
                int end = text.indexOf('"', i + 1);
                int newline = text.indexOf('\n', i + 1);
                if (end < 0 || (newline >= 0 && newline < end)) {
                    throw new KeepalivedSyntaxException(line, "unterminated quoted string");
                }
                tokens.add(new Token(Kind.WORD, text.substring(i + 1, end), line));
                i = end + 1;
            } else {
                int start = i;
                while (i < text.length() && !isDelimiter(text.charAt(i))) {
                    i++;
                }
                tokens.add(new Token(Kind.WORD, text.substring(start, i), line));
            }
        }
        return tokens;
    }

    private static boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || c == '{' || c == '}' || c == '"' || c == '#' || c == '!';
    }

    /** A block being read: its statements, and the words and line of the statement that opened it. */
    private record Frame(List<Statement> statements, List<String> opener, int openLine) {
    }

    private static List<Statement> build(List<Token> tokens) throws KeepalivedSyntaxException {
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(new ArrayList<>(), List.of(), 0));
        List<String> words = new ArrayList<>();
        int wordsLine = 0;
        for (Token token : tokens) {
            switch (token.kind()) {
                case WORD -> {
                    if (words.isEmpty()) {
                        wordsLine = token.line();
                    }
                    words.add(token.text());
                }
                case END_OF_LINE -> flush(stack.peek(), words, wordsLine);
                case OPEN -> {
                    if (words.isEmpty()) {
                        throw new KeepalivedSyntaxException(token.line(), "'{' without a keyword before it on its line");
                    }
                    if (stack.size() > MAX_DEPTH) {
                        throw new KeepalivedSyntaxException(token.line(), "blocks nested deeper than " + MAX_DEPTH);
                    }
                    stack.push(new Frame(new ArrayList<>(), List.copyOf(words), wordsLine));
                    words.clear();
                }
                case CLOSE -> {
                    flush(stack.peek(), words, wordsLine);
                    if (stack.size() == 1) {
                        throw new KeepalivedSyntaxException(token.line(), "'}' without a matching '{'");
                    }
                    Frame closed = stack.pop();
                    stack.peek().statements().add(
                            new Statement(closed.openLine(), closed.opener(), Optional.of(closed.statements())));
                }
            }
        }
        flush(stack.peek(), words, wordsLine);
        if (stack.size() > 1) {
            Frame open = stack.peek();
            throw new KeepalivedSyntaxException(open.openLine(),
                    "'{' of " + open.opener().get(0) + " is never closed");
        }
        return stack.peek().statements();
    }

    private static void flush(Frame frame, List<String> words, int line) {
        if (!words.isEmpty()) {
            frame.statements().add(new Statement(line, words, Optional.empty()));
            words.clear();
        }
    }
}
