// The engine-agreement oracle for request BODIES (issue 12, item 7).
//
// Reads a batch of cases and prints one JSON line of FACTS per case, in
// order, as Camunda 7's own parsers see the body: Jackson 2 configured as
// engine-rest's JacksonConfigurator (JSON), the JDK's JAXP/Xerces with the
// engine's parser settings and with an XXE-enabled configuration that
// records every external load and entity expansion instead of performing it
// (XML), and commons-fileupload 1.4 driven as engine-rest's
// MultipartPayloadProvider drives it, followed by the deployment and
// variable-upload code paths (multipart). The Rust side
// (tests/engine_bodies/) compares these facts with the guard's verdicts.
//
// Input (file named by the only argument): a 4-byte big-endian case count,
// then per case a 4-byte length + UTF-8 header "kind\troute\tcontent-type"
// (kind: json | xml | multipart; route: deploy | upload | other) and a
// 4-byte length + the body bytes.
//
// Output (stdout, UTF-8): one JSON object per line, {"json":{...}},
// {"xml":{...}} or {"multipart":{...}}. Strings are cleaned of lone
// surrogates (replaced by U+FFFD) so that every line is valid JSON; the
// facts say separately whether lone surrogates occurred.
//
// No network: external loads are answered with empty documents.

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

public final class BodyOracle {
    /** Output tree nodes (not the mapper under test). */
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Writes the output lines; never reads request bodies. */
    static final ObjectMapper OUT = new ObjectMapper();

    /** Caps that keep the output bounded. */
    static final int MAX_LIST = 2000;
    static final int MAX_TEXT = 4096;

    private BodyOracle() {}

    public static void main(String[] args) throws Exception {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(args[0])));
             BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String header = new String(readBlock(in), StandardCharsets.UTF_8);
                byte[] body = readBlock(in);
                String[] fields = header.split("\t", 3);
                String kind = fields[0];
                String route = fields.length > 1 ? fields[1] : "other";
                String contentType = fields.length > 2 && !fields[2].isEmpty() ? fields[2] : null;
                ObjectNode line = NODES.objectNode();
                try {
                    switch (kind) {
                        case "json":
                            line.set("json", BodyOracleJson.facts(body, 0));
                            break;
                        case "xml":
                            line.set("xml", BodyOracleXml.fromBytes(body));
                            break;
                        case "multipart":
                            line.set("multipart", BodyOracleMultipart.facts(body, contentType, route));
                            break;
                        default:
                            line.put("oracle_error", "unknown kind " + kind);
                    }
                } catch (Throwable t) {
                    // A bug of the oracle, never a fact about the body: the
                    // Rust side fails the case loudly.
                    line.put("oracle_error", clean(t.toString()));
                }
                out.write(OUT.writeValueAsString(line));
                out.write('\n');
            }
        }
    }

    static byte[] readBlock(DataInputStream in) throws Exception {
        int len = in.readInt();
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** Whether `s` holds a UTF-16 surrogate without its partner. */
    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** `s` with lone surrogates replaced, cut to MAX_TEXT chars. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        if (s.length() > MAX_TEXT) {
            s = s.substring(0, MAX_TEXT);
        }
        if (!hasLoneSurrogate(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                b.append('\uFFFD');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Adds `s` to a bounded list. */
    static void add(ArrayNode list, String s) {
        if (list.size() < MAX_LIST) {
            list.add(clean(s));
        }
    }
}
