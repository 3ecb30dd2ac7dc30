package org.omnileads.omlha.probes;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The parts of a SIP response (RFC 3261 §7.2, §20) an OPTIONS ping needs: the status line, the top Via's branch,
 * Call-ID, CSeq and who answered. Parsing is pure and bounded; anything that is not a response is a
 * {@link SipMessageException}.
 */
public record SipResponse(int status, String reason, String callId, String topViaBranch, String cseq, String server) {

    private static final String VERSION = "SIP/2.0";

    /** True for 2xx-6xx: the server's transaction layer has decided (RFC 3261 §7.2). */
    public boolean isFinal() {
        return status >= 200;
    }

    /** Parses one datagram. Header names are case-insensitive and may use compact forms (RFC 3261 §7.3.3). */
    public static SipResponse parse(byte[] datagram) {
        return parse(datagram, 0, datagram.length);
    }

    public static SipResponse parse(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new SipMessageException("bad slice: offset " + offset + ", length " + length + " of " + bytes.length);
        }
        String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
        int headEnd = endOfHeaders(text);
        String[] lines = text.substring(0, headEnd).split("\r?\n", -1);

        String statusLine = lines[0];
        if (!statusLine.startsWith(VERSION + " ")) {
            throw new SipMessageException("not a SIP/2.0 response: " + quote(statusLine));
        }
        if (statusLine.length() < VERSION.length() + 4) {
            throw new SipMessageException("status line too short: " + quote(statusLine));
        }
        String code = statusLine.substring(VERSION.length() + 1, VERSION.length() + 4);
        if (!isThreeDigits(code) || code.charAt(0) < '1' || code.charAt(0) > '6') {
            throw new SipMessageException("bad status code " + quote(code) + " (expected: 100-699)");
        }
        int status = Integer.parseInt(code);
        String rest = statusLine.substring(VERSION.length() + 4);
        if (!rest.isEmpty() && rest.charAt(0) != ' ') {
            throw new SipMessageException("no space after status code: " + quote(statusLine));
        }
        String reason = rest.strip();

        String callId = null;
        String via = null;
        String cseq = null;
        String server = "";
        String previousName = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (previousName == null) {
                    throw new SipMessageException("continuation line before any header: " + quote(line));
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new SipMessageException("header line without a name and colon: " + quote(line));
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            previousName = name;
            switch (name) {
                case "call-id", "i" -> callId = callId == null ? value : callId;
                case "via", "v" -> via = via == null ? firstViaValue(value) : via;
                case "cseq" -> cseq = cseq == null ? value : cseq;
                case "server", "user-agent" -> server = server.isEmpty() ? value : server;
                default -> { }
            }
        }
        if (callId == null) {
            throw new SipMessageException("no Call-ID header in " + status + " response");
        }
        if (via == null) {
            throw new SipMessageException("no Via header in " + status + " response");
        }
        if (cseq == null) {
            throw new SipMessageException("no CSeq header in " + status + " response");
        }
        return new SipResponse(status, reason, callId, branchOf(via), cseq, server);
    }

    /** The CSeq method (RFC 3261 §20.16), upper case as sent; empty when the header has no method. */
    public String cseqMethod() {
        int space = cseq.lastIndexOf(' ');
        return space < 0 ? "" : cseq.substring(space + 1).strip();
    }

    private static int endOfHeaders(String text) {
        int crlf = text.indexOf("\r\n\r\n");
        int lf = text.indexOf("\n\n");
        if (crlf < 0 && lf < 0) {
            return text.length();
        }
        if (crlf < 0) {
            return lf;
        }
        return lf < 0 ? crlf : Math.min(crlf, lf);
    }

    private static boolean isThreeDigits(String s) {
        return s.length() == 3 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A Via header may list several via-params separated by commas; the top one comes first. */
    private static String firstViaValue(String value) {
        int comma = value.indexOf(',');
        return comma < 0 ? value : value.substring(0, comma);
    }

    private static String branchOf(String via) {
        for (String param : via.split(";")) {
            String p = param.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("branch")) {
                return p.substring(eq + 1).strip();
            }
        }
        return "";
    }

    private static String quote(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return '"' + shown + '"';
    }
}
