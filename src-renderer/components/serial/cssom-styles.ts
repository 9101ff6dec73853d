// SPDX-License-Identifier: Apache-2.0
// xterm.js's DOM renderer styles its cells by creating <style> elements and setting their text,
// and colours selected cells with setAttribute('style', …); a strict CSP (style-src 'self', no
// 'unsafe-inline') refuses both. Under this CSP neither could ever apply, so both are routed
// through CSSOM, which the CSP does not restrict: a <style> made at run time becomes an inert
// <template> whose text feeds a constructed stylesheet the document adopts, and a style
// attribute set from script becomes `element.style.cssText`. Static CSS (xterm.css) is bundled
// and served from 'self' as usual.

let installed = false

export function routeStylesThroughCssom(doc: Document = document): void {
  if (installed) return
  installed = true
  const create = doc.createElement.bind(doc) as (tag: string, options?: ElementCreationOptions) => HTMLElement
  const patched = (tag: string, options?: ElementCreationOptions): HTMLElement => {
    if (tag.toLowerCase() !== 'style') return create(tag, options)
    const el = create('template')
    const sheet = new CSSStyleSheet()
    let text = ''
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet]
    Object.defineProperty(el, 'textContent', {
      get: () => text,
      set: (v: string | null) => {
        text = v ?? ''
        sheet.replaceSync(text)
      }
    })
    const remove = el.remove.bind(el)
    el.remove = () => {
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet)
      remove()
    }
    return el
  }
  doc.createElement = patched as Document['createElement']
  const setAttribute = Element.prototype.setAttribute
  Element.prototype.setAttribute = function (this: Element, name: string, value: string): void {
    if (name.toLowerCase() === 'style' && this instanceof HTMLElement) this.style.cssText = value
    else setAttribute.call(this, name, value)
  }
}
