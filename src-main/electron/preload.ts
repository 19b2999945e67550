/**
 * The preload: the renderer's whole view of the main process is `window.needmap.call(name, input)`.
 * Inputs are validated in the main process against the contract, so nothing else is exposed.
 */
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('needmap', {
  call: (name: string, input: unknown) => ipcRenderer.invoke('needmap:call', name, input),
  // Printing is the one thing the page cannot do for itself: save the page as a PDF.
  savePdf: (suggestedName: string) => ipcRenderer.invoke('needmap:save-pdf', String(suggestedName)),
});
