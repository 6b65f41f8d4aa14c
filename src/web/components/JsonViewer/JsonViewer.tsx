import { useEffect, useRef } from 'react';
import { json } from '@codemirror/lang-json';
import { foldEffect, unfoldAll } from '@codemirror/language';
import { openSearchPanel, search } from '@codemirror/search';
import { EditorState, Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from '@uiw/react-codemirror';
import classes from './JsonViewer.module.css';

/** What a toolbar outside the viewer can ask of it. */
export interface JsonViewerHandle {
  /** Folds these ranges (each from just after an opening bracket to its closing one). */
  fold: (ranges: readonly { from: number; to: number }[]) => void;
  /** Unfolds everything. */
  unfoldAll: () => void;
  /** Opens the search panel and puts the cursor in it. */
  openSearch: () => void;
}

/** Props of JsonViewer. */
export interface JsonViewerProps {
  /** The JSON text, already formatted, in pieces that each end with a newline (the last excepted). */
  chunks: readonly string[];
  /** The accessible name of the text area. */
  label: string;
  /** Receives the viewer's commands once it exists (and null when it goes). */
  onReady?: (handle: JsonViewerHandle | null) => void;
  /** Told how much of the text is in the editor, 0–1, as the pieces go in; 1 once all are. */
  onProgress?: (loaded: number) => void;
}

// Appending pieces stops for the frame after this long, so the page keeps answering input.
const sliceBudgetMs = 12;

function textOf(chunk: string): Text {
  return Text.of(chunk.split('\n'));
}

function handleFor(view: EditorView): JsonViewerHandle {
  return {
    fold: (ranges) => view.dispatch({ effects: ranges.map((range) => foldEffect.of(range)) }),
    unfoldAll: () => {
      unfoldAll(view);
    },
    openSearch: () => {
      openSearchPanel(view);
    },
  };
}

const viewerTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px' },
  '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)' },
  '&.cm-focused': {
    outline: '2px solid var(--mantine-primary-color-filled)',
    outlineOffset: '-2px',
  },
});

/**
 * A read-only CodeMirror 6 view of JSON: highlighted, foldable, searchable (Ctrl/Cmd-F), no line
 * wrapping. CodeMirror draws only the lines on screen, so a file of hundreds of megabytes stays
 * responsive. The text goes in piece by piece in short tasks, so even a file of millions of lines
 * never blocks the page; the first screen shows at once. Built on the editor directly rather than a
 * React wrapper, because the wrapper compares its whole document as a string on every change.
 */
export function JsonViewer({ chunks, label, onReady, onProgress }: JsonViewerProps) {
  const parentRef = useRef<HTMLDivElement>(null);
  const onReadyRef = useRef(onReady);
  const onProgressRef = useRef(onProgress);
  useEffect(() => {
    onReadyRef.current = onReady;
    onProgressRef.current = onProgress;
  });

  useEffect(() => {
    const parent = parentRef.current;
    if (parent === null) return;
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: textOf(chunks[0] ?? ''),
        extensions: [
          basicSetup({
            history: false,
            historyKeymap: false,
            autocompletion: false,
            completionKeymap: false,
            closeBrackets: false,
            closeBracketsKeymap: false,
            indentOnInput: false,
            dropCursor: false,
            lintKeymap: false,
            crosshairCursor: false,
            rectangularSelection: false,
          }),
          json(),
          search({ top: true }),
          EditorState.readOnly.of(true),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-readonly': 'true' }),
          viewerTheme,
        ],
      }),
    });
    onReadyRef.current?.(handleFor(view));

    let next = 1;
    let loaded = chunks[0]?.length ?? 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const appendSome = () => {
      const started = performance.now();
      while (next < chunks.length && performance.now() - started < sliceBudgetMs) {
        const chunk = chunks[next] ?? '';
        view.dispatch({ changes: { from: view.state.doc.length, insert: textOf(chunk) } });
        loaded += chunk.length;
        next += 1;
      }
      onProgressRef.current?.(total === 0 ? 1 : loaded / total);
      if (next < chunks.length) timer = setTimeout(appendSome, 0);
    };
    appendSome();

    return () => {
      clearTimeout(timer);
      onReadyRef.current?.(null);
      view.destroy();
    };
  }, [chunks, label]);

  return <div ref={parentRef} className={classes.viewer} />;
}
