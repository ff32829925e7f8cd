import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/**
 * How the JDK's XML parser (Xerces, set up as Camunda's model parser sets it up) reads each byte
 * 0x00-0xFF of a document declared in a given encoding, in a text node and in an attribute value.
 *
 * <p>Arguments: encoding labels. For each label, context ({@code text}: {@code <a>B</a>},
 * {@code attr}: {@code <a x="B"/>}) and byte B, one line: {@code label context BB result}, where
 * result is {@code ERR} when the parser refuses the document, {@code -} for an empty value, or the
 * code points it reads, in hex, comma-separated.
 */
public class XmlEncodings {
    static DocumentBuilder builder() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b;
    }

    static String hex(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(String.format("%04X", c));
        });
        return out.length() == 0 ? "-" : out.toString();
    }

    public static void main(String[] args) throws Exception {
        DocumentBuilder b = builder();
        // Xerces reports fatal errors on standard error before throwing.
        System.setErr(new PrintStream(new ByteArrayOutputStream()));
        StringBuilder out = new StringBuilder();
        for (String label : args) {
            for (String context : new String[] {"text", "attr"}) {
                boolean text = context.equals("text");
                for (int i = 0; i < 256; i++) {
                    ByteArrayOutputStream doc = new ByteArrayOutputStream();
                    String head = "<?xml version=\"1.0\" encoding=\"" + label + "\"?>";
                    doc.write(head.getBytes(StandardCharsets.US_ASCII));
                    doc.write((text ? "<a>" : "<a x=\"").getBytes(StandardCharsets.US_ASCII));
                    doc.write(i);
                    doc.write((text ? "</a>" : "\"/>").getBytes(StandardCharsets.US_ASCII));
                    String result;
                    try {
                        Document d = b.parse(new ByteArrayInputStream(doc.toByteArray()));
                        result = hex(text ? d.getDocumentElement().getTextContent()
                                          : d.getDocumentElement().getAttribute("x"));
                    } catch (Exception e) {
                        result = "ERR";
                    }
                    b.reset();
                    out.append(label).append(' ').append(context).append(' ')
                       .append(String.format("%02X", i)).append(' ').append(result).append('\n');
                }
            }
        }
        System.out.print(out);
        System.out.flush();
    }
}
