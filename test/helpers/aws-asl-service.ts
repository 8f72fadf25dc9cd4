/**
 * AWS's own Amazon States Language service (`amazon-states-language-service`, the validator behind
 * the AWS Toolkit's editor): the findings it reports for a definition, as text. Tests run every
 * machine they compile through it, beside the compiler's own checks of the rules it does not know.
 */
import aslService from 'amazon-states-language-service';

const { getLanguageService, TextDocument } = aslService;
const service = getLanguageService({});

/** Each finding of AWS's language service on `json`, as `line:col message`; empty when clean. */
export async function aslServiceFindings(json: string): Promise<string[]> {
  const text = json.includes('\n') ? json : JSON.stringify(JSON.parse(json), null, 2);
  const doc = TextDocument.create('file:///machine.asl.json', 'json', 0, text);
  const diagnostics = await service.doValidation(doc, service.parseJSONDocument(doc));
  const lines = text.split('\n');
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message} (${lines[d.range.start.line]?.trim().slice(0, 120)})`);
}
