/**
 * "Print or save as PDF": in the desktop app the main process saves the page as a PDF with
 * Electron's printToPDF (asking where); in the browser host, the browser's own print dialog.
 */
export async function printOrSavePdf(suggestedName: string): Promise<void> {
  if (window.needmap?.savePdf) {
    await window.needmap.savePdf(suggestedName);
    return;
  }
  window.print();
}
