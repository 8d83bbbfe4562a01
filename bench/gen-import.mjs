// Writes a workbook of N rooms or N customers (with their rooms) for the
// import benchmark: node bench/gen-import.mjs rooms|customers N OUT.xlsx
import * as XLSX from '../e2e/node_modules/xlsx/xlsx.mjs';
import * as fs from 'node:fs';
XLSX.set_fs(fs);
const [kind, count = '50000', out = `/tmp/${process.argv[2]}.xlsx`] = process.argv.slice(2);
const n = Number(count);
const rows = [];
if (kind === 'rooms') {
  rows.push(['项目编码*', '楼栋编码*', '单元', '房间代码*', '楼层*', '建筑面积', '套内面积', '房间类型*', '房间状态*', '交付日期']);
  for (let i = 0; i < n; i++) {
    const b = `Z${Math.floor(i / 1000)}`, f = Math.floor((i % 1000) / 10) + 1, n = (i % 10) + 1;
    rows.push(['JLTX', b, '1', `JLTX-${b}-${String(f).padStart(3, '0')}${String(n).padStart(2, '0')}`, String(f), '88.5', '70.2', '住宅', '未售', '2025-06-30']);
  }
} else {
  rows.push(['管理处*', '客户编号*', '客户名称*', '客户类型', '证件类型', '证件号码', '手机', '其他电话', '电子邮箱', '项目编码', '房间代码', '身份', '迁入日期', '租期开始', '租期结束']);
  for (let i = 0; i < n; i++) {
    const b = `Z${Math.floor(i / 1000)}`, f = Math.floor((i % 1000) / 10) + 1, n = (i % 10) + 1;
    const code = `JLTX-${b}-${String(f).padStart(3, '0')}${String(n).padStart(2, '0')}`;
    rows.push(['君林天下管理处', code, `客户${i}`, '个人', '', '', `139${String(i).padStart(8, '0')}`, '', '', 'JLTX', code, '业主', '2025-07-01', '', '']);
  }
}
const wb = XLSX.utils.book_new();
XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'data');
XLSX.writeFile(wb, out, { compression: true });
console.log(out, rows.length - 1);
