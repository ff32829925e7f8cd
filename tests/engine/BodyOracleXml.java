// XML facts for the body oracle (see BodyOracle.java).
//
// Two parses of the same input with the JDK's JAXP (Xerces):
//  1. Camunda's settings, as engine/.../impl/util/xml/Parser.java sets them
//     with enableXxeProcessing=false (the default): XInclude off,
//     external-general-entities off, disallow-doctype-decl ON,
//     load-external-dtd off, external-parameter-entities off,
//     FEATURE_SECURE_PROCESSING on. Namespace-aware, as the model API's
//     parser (AbstractModelParser) and Spin's DOM reader are. This parse
//     decides "parses under Camunda's settings".
//  2. An XXE-enabled configuration (DOCTYPE allowed, external entities and
//     external DTD loading on) whose EntityResolver RECORDS every external
//     load and answers with an empty document (nothing is fetched), and
//     whose LexicalHandler/DeclHandler record DOCTYPEs, entity declarations
//     and every entity expansion. XInclude processing stays off so that
//     xi:include elements are seen (and recorded) as elements. All the
//     structural facts come from this parse, which reads at least as much
//     of the document as the first one.
// Bytes are parsed as a byte stream (Xerces detects the encoding, as the
// engine's deployers do: Parse.execute hands it an InputStream); documents
// carried in JSON strings are parsed from a Reader, as Spin's
// DomXmlDataFormatReader does.

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.ext.DefaultHandler2;
import org.xml.sax.ext.Locator2;
import org.xml.sax.helpers.DefaultHandler;

final class BodyOracleXml {
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    static final String XSD = "http://www.w3.org/2001/XMLSchema";
    static final String XSLT = "http://www.w3.org/1999/XSL/Transform";
    static final java.util.Set<String> PREDEFINED = java.util.Set.of("amp", "lt", "gt", "quot", "apos");

    private BodyOracleXml() {}

    interface Source {
        InputSource open();
    }

    static final Pattern DECLARED = Pattern.compile("^\\s*<\\?xml[^>]*?encoding\\s*=\\s*[\"']([^\"']*)[\"']");

    static ObjectNode fromBytes(byte[] body) {
        ObjectNode f = facts(() -> new InputSource(new ByteArrayInputStream(body)));
        // The encoding the XML declaration names, read as Latin-1 (so only
        // for ASCII-compatible bodies; an optional UTF-8 BOM is skipped).
        int from = body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF ? 3 : 0;
        String head = new String(body, from, Math.min(body.length - from, 512), StandardCharsets.ISO_8859_1);
        Matcher m = DECLARED.matcher(head);
        f.put("declared_encoding", m.find() ? m.group(1) : null);
        String bom = null;
        if (from == 3) {
            bom = "UTF-8";
        } else if (body.length >= 2 && (body[0] & 0xff) == 0xFE && (body[1] & 0xff) == 0xFF) {
            bom = "UTF-16BE";
        } else if (body.length >= 2 && (body[0] & 0xff) == 0xFF && (body[1] & 0xff) == 0xFE) {
            bom = "UTF-16LE";
        }
        f.put("bom", bom);
        return f;
    }

    static ObjectNode fromString(String text) {
        ObjectNode f = facts(() -> new InputSource(new StringReader(text)));
        Matcher m = DECLARED.matcher(text.substring(0, Math.min(text.length(), 512)));
        f.put("declared_encoding", m.find() ? BodyOracle.clean(m.group(1)) : null);
        return f;
    }

    static ObjectNode facts(Source source) {
        ObjectNode f = BodyOracle.NODES.objectNode();
        // 1. Camunda's settings.
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setXIncludeAware(false);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            SAXParser parser = factory.newSAXParser();
            parser.parse(source.open(), new DefaultHandler());
            f.put("camunda_ok", true);
        } catch (SAXParseException e) {
            f.put("camunda_ok", false);
            f.put("camunda_error", BodyOracle.clean(e.getMessage()));
        } catch (Exception e) {
            f.put("camunda_ok", false);
            f.put("camunda_error", BodyOracle.clean(e.toString()));
        }
        // 2. XXE-enabled, recording.
        Recorder r = new Recorder();
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setXIncludeAware(false);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", true);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            SAXParser parser = factory.newSAXParser();
            // The resolver answers every load itself; no access restriction
            // must hide a load from it.
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "all");
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "all");
            XMLReader reader = parser.getXMLReader();
            reader.setContentHandler(r);
            reader.setErrorHandler(r);
            reader.setEntityResolver(r);
            reader.setDTDHandler(r);
            reader.setProperty("http://xml.org/sax/properties/lexical-handler", r);
            reader.setProperty("http://xml.org/sax/properties/declaration-handler", r);
            reader.parse(source.open());
            f.put("xxe_ok", true);
        } catch (Exception e) {
            f.put("xxe_ok", false);
            f.put("xxe_error", BodyOracle.clean(e instanceof SAXParseException ? e.getMessage() : e.toString()));
        }
        r.captureEncoding();
        f.put("encoding", r.encoding);
        f.put("version", r.version);
        f.put("doctype", r.doctype);
        f.put("entity_expansions", r.expansionCount);
        f.set("expanded", list(r.expanded));
        f.set("entity_decls", list(r.entityDecls));
        f.set("external_loads", list(r.loads));
        f.set("elements", list(r.elements));
        f.set("attributes", list(r.attributes));
        f.set("schema_locations", list(r.schemaLocations));
        f.set("pi_targets", list(r.piTargets));
        f.set("stylesheets", list(r.stylesheets));
        f.put("xinclude", r.xinclude);
        f.put("max_depth", r.maxDepth);
        f.put("elements_count", r.count);
        f.put("max_attributes", r.maxAttributes);
        f.put("max_name_length", r.maxName);
        f.put("max_value_bytes", r.maxValue);
        f.put("namespace_decls", r.namespaceDecls);
        return f;
    }

    static ArrayNode list(TreeSet<String> set) {
        ArrayNode a = BodyOracle.NODES.arrayNode();
        for (String s : set) {
            BodyOracle.add(a, s);
        }
        return a;
    }

    static String name(String uri, String local) {
        return uri == null || uri.isEmpty() ? local : "{" + uri + "}" + local;
    }

    static final class Recorder extends DefaultHandler2 {
        Locator locator;
        String encoding;
        String version;
        boolean doctype;
        int expansionCount;
        final TreeSet<String> expanded = new TreeSet<>();
        final TreeSet<String> entityDecls = new TreeSet<>();
        final TreeSet<String> loads = new TreeSet<>();
        final TreeSet<String> elements = new TreeSet<>();
        final TreeSet<String> attributes = new TreeSet<>();
        final TreeSet<String> schemaLocations = new TreeSet<>();
        final TreeSet<String> piTargets = new TreeSet<>();
        final TreeSet<String> stylesheets = new TreeSet<>();
        boolean xinclude;
        int depth;
        int maxDepth;
        int count;
        int maxAttributes;
        int maxName;
        int maxValue;
        int text;
        int namespaceDecls;

        void put(TreeSet<String> set, String s) {
            if (set.size() < BodyOracle.MAX_LIST) {
                set.add(s == null ? "" : s);
            }
        }

        void captureEncoding() {
            if (encoding == null && locator instanceof Locator2) {
                encoding = ((Locator2) locator).getEncoding();
                version = ((Locator2) locator).getXMLVersion();
            }
        }

        void endText() {
            maxValue = Math.max(maxValue, text);
            text = 0;
        }

        @Override
        public void setDocumentLocator(Locator l) {
            locator = l;
        }

        @Override
        public void startPrefixMapping(String prefix, String uri) {
            namespaceDecls++;
        }

        @Override
        public void startElement(String uri, String local, String qName, Attributes atts) {
            captureEncoding();
            endText();
            depth++;
            count++;
            maxDepth = Math.max(maxDepth, depth);
            maxName = Math.max(maxName, qName.length());
            String element = name(uri, local);
            put(elements, element);
            if ("http://www.w3.org/2001/XInclude".equals(uri) || "http://www.w3.org/2003/XInclude".equals(uri)) {
                xinclude = true;
            }
            maxAttributes = Math.max(maxAttributes, atts.getLength());
            boolean xsdRef = XSD.equals(uri)
                && ("import".equals(local) || "include".equals(local) || "redefine".equals(local) || "override".equals(local));
            for (int i = 0; i < atts.getLength(); i++) {
                String au = atts.getURI(i);
                String al = atts.getLocalName(i);
                String value = atts.getValue(i);
                maxName = Math.max(maxName, atts.getQName(i).length());
                maxValue = Math.max(maxValue, value.getBytes(StandardCharsets.UTF_8).length);
                put(attributes, element + "\t" + name(au, al));
                if (XSI.equals(au) && ("schemaLocation".equals(al) || "noNamespaceSchemaLocation".equals(al))) {
                    put(schemaLocations, ("schemaLocation".equals(al) ? "pairs\t" : "single\t") + value);
                }
                if (xsdRef && (au == null || au.isEmpty()) && "schemaLocation".equals(al)) {
                    put(schemaLocations, "single\t" + value);
                }
            }
        }

        @Override
        public void endElement(String uri, String local, String qName) {
            endText();
            depth--;
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            // Characters count as up to three UTF-8 bytes each: an upper
            // bound, which is what a limit comparison needs.
            text += length;
        }

        @Override
        public void processingInstruction(String target, String data) {
            put(piTargets, target);
            if ("xml-stylesheet".equalsIgnoreCase(target)) {
                put(stylesheets, data);
            }
        }

        @Override
        public void startDTD(String name, String publicId, String systemId) {
            doctype = true;
        }

        @Override
        public void startEntity(String name) {
            // The five predefined entities are not expansions of anything
            // declared (Xerces reports them to a LexicalHandler too).
            if (!"[dtd]".equals(name) && !PREDEFINED.contains(name)) {
                expansionCount++;
                put(expanded, name);
            }
        }

        @Override
        public void internalEntityDecl(String name, String value) {
            put(entityDecls, name);
        }

        @Override
        public void externalEntityDecl(String name, String publicId, String systemId) {
            put(entityDecls, name);
        }

        @Override
        public void unparsedEntityDecl(String name, String publicId, String systemId, String notation) {
            put(entityDecls, name);
        }

        @Override
        public InputSource getExternalSubset(String name, String baseURI) {
            return null;
        }

        @Override
        public InputSource resolveEntity(String name, String publicId, String baseURI, String systemId) {
            put(loads, systemId != null ? systemId : "public:" + publicId);
            InputSource empty = new InputSource(new StringReader(""));
            empty.setSystemId(systemId);
            empty.setPublicId(publicId);
            return empty;
        }

        @Override
        public InputSource resolveEntity(String publicId, String systemId) {
            return resolveEntity(null, publicId, null, systemId);
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    }
}
