export { type AccessExports, createAccessExports } from './access-exports.ts';
export { toCsv } from './csv.ts';
export { deprovisioningReportCsv, deprovisioningReportCsvHeader } from './deprovisioning-csv.ts';
