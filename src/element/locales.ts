// Built-in translations of strings.ts, one list per language, in the order of its keys
// (STRING_KEYS; the comment on each line names the key). A test fails when a list has a
// missing, extra or empty entry. `zh` is Simplified Chinese. A page that needs another
// language or wording sets the element's `strings` property.
/** Translations by primary language subtag. */
export const TRANSLATIONS: Record<string, readonly string[]> = {
  es: [
    'Iniciar un chat de voz', // statusIdle
    'Conectando…', // statusConnecting
    'Escuchando', // statusListening
    'Te escucho', // statusHearing
    'Pensando…', // statusThinking
    'Hablando', // statusSpeaking
    'Silenciado', // statusMuted
    'El servicio está ocupado. Reintentando en breve…', // noticeBusy
    'Se perdió la conexión. Reconectando…', // noticeReconnecting
    'No oímos tu micrófono. ¿Está silenciado?', // noticeMicSilent
    'Iniciar conversación de voz', // labelStart
    'Terminar conversación de voz', // labelEnd
    'Cerrar', // labelClose
    'Asistente de voz', // title
    'Finalizar llamada', // endCall
    'Duración de la llamada', // callTime
    'Silenciar micrófono', // mute
    'Silenciar altavoz', // muteSpeaker
    'Volumen', // volume
    'Mantén pulsado para hablar', // talk
    'Ajustes de audio', // settings
    'Micrófono', // microphone
    'Altavoz', // speaker
    'Predeterminado del sistema', // systemDefault
    'Reintentar', // retry
    'Cómo solucionarlo', // help
    'Conversación', // timeline
    'Tú', // you
    'Agente', // agent
    'interrumpido', // interrupted
    'sin respuesta', // toolNoAnswer
    'El acceso al micrófono está bloqueado.', // errorMicDenied
    'Permite el micrófono en la configuración del sitio de tu navegador (el icono junto a la dirección) y vuelve a intentarlo.', // helpMicDenied
    'No se encontró ningún micrófono. Conecta uno y vuelve a intentarlo.', // errorMicMissing
    'No se pudo iniciar el audio. Recarga la página y vuelve a intentarlo.', // errorAudio
    'No se puede conectar ahora. Inténtalo de nuevo.', // errorConnect
    'El asistente está ocupado. Inténtalo de nuevo en un minuto.', // errorBusy
    'El chat de voz no está disponible ahora.', // errorUnavailable
    'Algo salió mal. Inténtalo de nuevo.', // errorGeneric
  ],
  fr: [
    'Démarrer un chat vocal', // statusIdle
    'Connexion…', // statusConnecting
    'À l’écoute', // statusListening
    'Je vous entends', // statusHearing
    'Réflexion…', // statusThinking
    'En train de parler', // statusSpeaking
    'Micro coupé', // statusMuted
    'Le service est saturé. Nouvel essai bientôt…', // noticeBusy
    'Connexion perdue. Reconnexion…', // noticeReconnecting
    'Nous n’entendons pas votre micro. Est-il coupé\u00a0?', // noticeMicSilent
    'Démarrer la conversation vocale', // labelStart
    'Terminer la conversation vocale', // labelEnd
    'Fermer', // labelClose
    'Assistant vocal', // title
    'Raccrocher', // endCall
    'Durée de l’appel', // callTime
    'Couper le micro', // mute
    'Couper le son', // muteSpeaker
    'Volume', // volume
    'Maintenez pour parler', // talk
    'Réglages audio', // settings
    'Microphone', // microphone
    'Haut-parleur', // speaker
    'Par défaut du système', // systemDefault
    'Réessayer', // retry
    'Comment corriger', // help
    'Conversation', // timeline
    'Vous', // you
    'Agent', // agent
    'interrompu', // interrupted
    'sans réponse', // toolNoAnswer
    'L’accès au micro est bloqué.', // errorMicDenied
    'Autorisez le micro dans les paramètres du site de votre navigateur (l’icône à côté de l’adresse), puis réessayez.', // helpMicDenied
    'Aucun micro trouvé. Branchez-en un et réessayez.', // errorMicMissing
    'Le son n’a pas pu démarrer. Rechargez la page et réessayez.', // errorAudio
    'Connexion impossible pour le moment. Réessayez.', // errorConnect
    'L’assistant est occupé. Réessayez dans une minute.', // errorBusy
    'Le chat vocal n’est pas disponible pour le moment.', // errorUnavailable
    'Un problème est survenu. Réessayez.', // errorGeneric
  ],
  de: [
    'Sprachchat starten', // statusIdle
    'Verbindung wird hergestellt…', // statusConnecting
    'Hört zu', // statusListening
    'Ich höre Sie', // statusHearing
    'Denkt nach…', // statusThinking
    'Spricht', // statusSpeaking
    'Stummgeschaltet', // statusMuted
    'Der Dienst ist ausgelastet. Neuer Versuch in Kürze…', // noticeBusy
    'Verbindung verloren. Neu verbinden…', // noticeReconnecting
    'Wir hören Ihr Mikrofon nicht. Ist es stummgeschaltet?', // noticeMicSilent
    'Sprachunterhaltung starten', // labelStart
    'Sprachunterhaltung beenden', // labelEnd
    'Schließen', // labelClose
    'Sprachassistent', // title
    'Auflegen', // endCall
    'Gesprächsdauer', // callTime
    'Mikrofon stummschalten', // mute
    'Lautsprecher stummschalten', // muteSpeaker
    'Lautstärke', // volume
    'Zum Sprechen gedrückt halten', // talk
    'Audioeinstellungen', // settings
    'Mikrofon', // microphone
    'Lautsprecher', // speaker
    'Systemstandard', // systemDefault
    'Erneut versuchen', // retry
    'So beheben Sie das', // help
    'Unterhaltung', // timeline
    'Sie', // you
    'Assistent', // agent
    'unterbrochen', // interrupted
    'keine Antwort', // toolNoAnswer
    'Der Mikrofonzugriff ist blockiert.', // errorMicDenied
    'Erlauben Sie das Mikrofon in den Website-Einstellungen Ihres Browsers (Symbol neben der Adresse) und versuchen Sie es erneut.', // helpMicDenied
    'Kein Mikrofon gefunden. Schließen Sie eines an und versuchen Sie es erneut.', // errorMicMissing
    'Audio konnte nicht starten. Laden Sie die Seite neu und versuchen Sie es erneut.', // errorAudio
    'Verbindung gerade nicht möglich. Bitte erneut versuchen.', // errorConnect
    'Der Assistent ist ausgelastet. Bitte in einer Minute erneut versuchen.', // errorBusy
    'Der Sprachchat ist gerade nicht verfügbar.', // errorUnavailable
    'Etwas ist schiefgelaufen. Bitte erneut versuchen.', // errorGeneric
  ],
  pt: [
    'Iniciar um chat de voz', // statusIdle
    'Conectando…', // statusConnecting
    'Ouvindo', // statusListening
    'Estou ouvindo você', // statusHearing
    'Pensando…', // statusThinking
    'Falando', // statusSpeaking
    'Silenciado', // statusMuted
    'O serviço está ocupado. Tentando novamente em breve…', // noticeBusy
    'Conexão perdida. Reconectando…', // noticeReconnecting
    'Não estamos ouvindo seu microfone. Ele está silenciado?', // noticeMicSilent
    'Iniciar conversa por voz', // labelStart
    'Encerrar conversa por voz', // labelEnd
    'Fechar', // labelClose
    'Assistente de voz', // title
    'Encerrar chamada', // endCall
    'Duração da chamada', // callTime
    'Silenciar microfone', // mute
    'Silenciar alto-falante', // muteSpeaker
    'Volume', // volume
    'Segure para falar', // talk
    'Configurações de áudio', // settings
    'Microfone', // microphone
    'Alto-falante', // speaker
    'Padrão do sistema', // systemDefault
    'Tentar novamente', // retry
    'Como resolver', // help
    'Conversa', // timeline
    'Você', // you
    'Agente', // agent
    'interrompido', // interrupted
    'sem resposta', // toolNoAnswer
    'O acesso ao microfone está bloqueado.', // errorMicDenied
    'Permita o microfone nas configurações do site no seu navegador (o ícone ao lado do endereço) e tente novamente.', // helpMicDenied
    'Nenhum microfone encontrado. Conecte um e tente novamente.', // errorMicMissing
    'Não foi possível iniciar o áudio. Recarregue a página e tente novamente.', // errorAudio
    'Não foi possível conectar agora. Tente novamente.', // errorConnect
    'O assistente está ocupado. Tente novamente em um minuto.', // errorBusy
    'O chat de voz não está disponível no momento.', // errorUnavailable
    'Algo deu errado. Tente novamente.', // errorGeneric
  ],
  hi: [
    'वॉइस चैट शुरू करें', // statusIdle
    'कनेक्ट हो रहा है…', // statusConnecting
    'सुन रहा है', // statusListening
    'आपको सुन रहा है', // statusHearing
    'सोच रहा है…', // statusThinking
    'बोल रहा है', // statusSpeaking
    'म्यूट है', // statusMuted
    'सेवा व्यस्त है। जल्द ही फिर कोशिश की जाएगी…', // noticeBusy
    'कनेक्शन टूट गया। फिर से कनेक्ट हो रहा है…', // noticeReconnecting
    'आपका माइक्रोफ़ोन सुनाई नहीं दे रहा। क्या वह म्यूट है?', // noticeMicSilent
    'वॉइस बातचीत शुरू करें', // labelStart
    'वॉइस बातचीत समाप्त करें', // labelEnd
    'बंद करें', // labelClose
    'वॉइस असिस्टेंट', // title
    'कॉल समाप्त करें', // endCall
    'कॉल का समय', // callTime
    'माइक्रोफ़ोन म्यूट करें', // mute
    'स्पीकर म्यूट करें', // muteSpeaker
    'वॉल्यूम', // volume
    'बोलने के लिए दबाए रखें', // talk
    'ऑडियो सेटिंग्स', // settings
    'माइक्रोफ़ोन', // microphone
    'स्पीकर', // speaker
    'सिस्टम डिफ़ॉल्ट', // systemDefault
    'फिर कोशिश करें', // retry
    'इसे कैसे ठीक करें', // help
    'बातचीत', // timeline
    'आप', // you
    'एजेंट', // agent
    'बीच में रोका गया', // interrupted
    'कोई जवाब नहीं', // toolNoAnswer
    'माइक्रोफ़ोन की अनुमति ब्लॉक है।', // errorMicDenied
    'अपने ब्राउज़र की साइट सेटिंग्स (पते के पास वाला आइकन) में माइक्रोफ़ोन की अनुमति दें, फिर दोबारा कोशिश करें।', // helpMicDenied
    'कोई माइक्रोफ़ोन नहीं मिला। एक कनेक्ट करके फिर कोशिश करें।', // errorMicMissing
    'ऑडियो शुरू नहीं हो सका। पेज रीलोड करके फिर कोशिश करें।', // errorAudio
    'अभी कनेक्ट नहीं हो पा रहा। कृपया फिर कोशिश करें।', // errorConnect
    'असिस्टेंट व्यस्त है। कृपया एक मिनट बाद फिर कोशिश करें।', // errorBusy
    'वॉइस चैट अभी उपलब्ध नहीं है।', // errorUnavailable
    'कुछ गलत हो गया। कृपया फिर कोशिश करें।', // errorGeneric
  ],
  ja: [
    '音声チャットを開始', // statusIdle
    '接続中…', // statusConnecting
    '聞いています', // statusListening
    '聞き取り中', // statusHearing
    '考え中…', // statusThinking
    '話しています', // statusSpeaking
    'ミュート中', // statusMuted
    'サービスが混み合っています。まもなく再試行します…', // noticeBusy
    '接続が切れました。再接続中…', // noticeReconnecting
    'マイクの音が聞こえません。ミュートになっていませんか？', // noticeMicSilent
    '音声会話を開始', // labelStart
    '音声会話を終了', // labelEnd
    '閉じる', // labelClose
    '音声アシスタント', // title
    '通話を終了', // endCall
    '通話時間', // callTime
    'マイクをミュート', // mute
    'スピーカーをミュート', // muteSpeaker
    '音量', // volume
    '押したまま話す', // talk
    'オーディオ設定', // settings
    'マイク', // microphone
    'スピーカー', // speaker
    'システムのデフォルト', // systemDefault
    'もう一度試す', // retry
    '解決方法', // help
    '会話', // timeline
    'あなた', // you
    'エージェント', // agent
    '中断', // interrupted
    '応答なし', // toolNoAnswer
    'マイクへのアクセスがブロックされています。', // errorMicDenied
    'ブラウザのサイト設定（アドレス横のアイコン）でマイクを許可してから、もう一度お試しください。', // helpMicDenied
    'マイクが見つかりません。接続してからもう一度お試しください。', // errorMicMissing
    '音声を開始できませんでした。ページを再読み込みしてもう一度お試しください。', // errorAudio
    '現在接続できません。もう一度お試しください。', // errorConnect
    'アシスタントが混み合っています。1分後にもう一度お試しください。', // errorBusy
    '現在、音声チャットはご利用いただけません。', // errorUnavailable
    '問題が発生しました。もう一度お試しください。', // errorGeneric
  ],
  zh: [
    '开始语音聊天', // statusIdle
    '正在连接…', // statusConnecting
    '正在聆听', // statusListening
    '正在听你说', // statusHearing
    '正在思考…', // statusThinking
    '正在说话', // statusSpeaking
    '已静音', // statusMuted
    '服务繁忙，稍后将重试…', // noticeBusy
    '连接已断开，正在重新连接…', // noticeReconnecting
    '听不到你的麦克风声音，是否已静音？', // noticeMicSilent
    '开始语音对话', // labelStart
    '结束语音对话', // labelEnd
    '关闭', // labelClose
    '语音助手', // title
    '结束通话', // endCall
    '通话时长', // callTime
    '麦克风静音', // mute
    '扬声器静音', // muteSpeaker
    '音量', // volume
    '按住说话', // talk
    '音频设置', // settings
    '麦克风', // microphone
    '扬声器', // speaker
    '系统默认', // systemDefault
    '重试', // retry
    '如何解决', // help
    '对话', // timeline
    '你', // you
    '助手', // agent
    '已打断', // interrupted
    '无响应', // toolNoAnswer
    '麦克风权限已被阻止。', // errorMicDenied
    '请在浏览器的网站设置（地址栏旁的图标）中允许使用麦克风，然后重试。', // helpMicDenied
    '未找到麦克风。请连接麦克风后重试。', // errorMicMissing
    '无法启动音频。请刷新页面后重试。', // errorAudio
    '暂时无法连接，请重试。', // errorConnect
    '助手繁忙，请一分钟后重试。', // errorBusy
    '语音聊天暂不可用。', // errorUnavailable
    '出了点问题，请重试。', // errorGeneric
  ],
};
