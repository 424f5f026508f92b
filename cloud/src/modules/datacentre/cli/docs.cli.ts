/** `npm run docs:datacentre`: writes docs/datacentre.md from the event contracts. */
import fs from 'node:fs';
import path from 'node:path';
import { renderContractDoc } from '../contract-doc';

const file = path.resolve(__dirname, '../../../../../docs/datacentre.md');
fs.writeFileSync(file, renderContractDoc());
console.log(`[docs] wrote ${path.relative(process.cwd(), file)}`);
